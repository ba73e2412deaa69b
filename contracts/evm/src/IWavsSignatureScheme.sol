// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Names the signature scheme a service manager checks, so that one chain adapter
/// can serve managers of different schemes side by side and pick the signing key and the
/// submission format from the manager itself.
interface IWavsSignatureScheme {
    /// @notice The scheme's name: "secp256k1-ecdsa" (IWavsServiceManager) or "bn254-bls"
    /// (IWavsBlsServiceManager).
    function signatureScheme() external view returns (string memory);
}
