// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Where operators' nodes are reached: each operator publishes its node's p2p address
/// at the manager, so nodes running without an aggregator find each other from the chain.
/// @dev Nodes read peerAddresses() and dial what they find; the addresses are untrusted input
/// to them, so this contract only bounds their size and who may set one.
interface IWavsPeerAddresses {
    /// The address is longer than MAX_PEER_ADDRESS_BYTES.
    error PeerAddressTooLong(uint256 length, uint256 max);

    /// `operator` published `peerAddress` (empty: it withdrew its address).
    event PeerAddressUpdated(address indexed operator, string peerAddress);

    /// @notice The non-empty peer addresses of the operators that currently have weight.
    function peerAddresses() external view returns (string[] memory);

    /// @notice The caller's (an operator with weight) node's p2p address; emits PeerAddressUpdated.
    function setPeerAddress(string calldata peerAddress) external;
}
