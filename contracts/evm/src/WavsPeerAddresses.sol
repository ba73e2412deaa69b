// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWavsPeerAddresses} from "./IWavsPeerAddresses.sol";

/// @notice The operators' peer addresses a manager holds (IWavsPeerAddresses); the manager
/// says who is an operator.
abstract contract WavsPeerAddresses is IWavsPeerAddresses {
    /// Bounded because every node reads every address each discovery round: a multiaddr with
    /// a peer id is under 100 bytes, 256 leaves room for DNS names.
    uint256 public constant MAX_PEER_ADDRESS_BYTES = 256;

    mapping(address => string) private peerAddressOf;
    /// Every operator that ever published an address, once; only weighed operators get in,
    /// so the list is bounded by the operators the owner ever weighed.
    address[] private announcers;
    mapping(address => bool) private announced;

    /// Reverts (NotOperator) unless the caller is an operator with weight.
    function _checkPeerAnnouncer() internal view virtual;

    /// Whether `operator` currently has weight.
    function _hasPeerWeight(address operator) internal view virtual returns (bool);

    /// @inheritdoc IWavsPeerAddresses
    function setPeerAddress(string calldata peerAddress) external override {
        _checkPeerAnnouncer();
        uint256 length = bytes(peerAddress).length;
        if (length > MAX_PEER_ADDRESS_BYTES) revert PeerAddressTooLong(length, MAX_PEER_ADDRESS_BYTES);
        if (!announced[msg.sender]) {
            announced[msg.sender] = true;
            announcers.push(msg.sender);
        }
        peerAddressOf[msg.sender] = peerAddress;
        emit PeerAddressUpdated(msg.sender, peerAddress);
    }

    /// @inheritdoc IWavsPeerAddresses
    function peerAddresses() external view override returns (string[] memory found) {
        found = new string[](announcers.length);
        uint256 n = 0;
        for (uint256 i = 0; i < announcers.length; i++) {
            address operator = announcers[i];
            if (!_hasPeerWeight(operator) || bytes(peerAddressOf[operator]).length == 0) continue;
            found[n++] = peerAddressOf[operator];
        }
        assembly {
            mstore(found, n)
        }
    }
}
