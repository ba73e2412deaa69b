// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Where a service is defined: a URI its manager holds, set by the service's owner.
/// @dev Nodes that opted into the service read serviceURI() and watch ServiceURIUpdated to
/// move to a new definition by themselves.
interface IWavsServiceURI {
    /// The URI is longer than MAX_SERVICE_URI_BYTES.
    error ServiceURITooLong(uint256 length, uint256 max);

    /// The service URI changed to `uri`.
    event ServiceURIUpdated(string uri);

    /// @notice The service URI; empty until the owner sets one.
    function serviceURI() external view returns (string memory);

    /// @notice Sets the service URI and emits ServiceURIUpdated. Owner only.
    function setServiceURI(string calldata uri) external;
}
