// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWavsServiceURI} from "./IWavsServiceURI.sol";

/// @notice The service URI a manager holds (IWavsServiceURI); the manager says who may set it.
abstract contract WavsServiceURI is IWavsServiceURI {
    /// Bounded because every byte is stored on chain and read by every opted-in node: an
    /// unbounded URI would let a careless owner make each read and update arbitrarily costly.
    /// 2 KiB holds any practical URL or content address.
    uint256 public constant MAX_SERVICE_URI_BYTES = 2048;

    string private uri_;

    /// Reverts unless the caller may change the service URI.
    function _checkServiceURIOwner() internal view virtual;

    /// @inheritdoc IWavsServiceURI
    function serviceURI() external view override returns (string memory) {
        return uri_;
    }

    /// @inheritdoc IWavsServiceURI
    function setServiceURI(string calldata uri) external override {
        _checkServiceURIOwner();
        if (bytes(uri).length > MAX_SERVICE_URI_BYTES) revert ServiceURITooLong(bytes(uri).length, MAX_SERVICE_URI_BYTES);
        uri_ = uri;
        emit ServiceURIUpdated(uri);
    }
}
