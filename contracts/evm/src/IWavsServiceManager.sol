// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SignatureData} from "./WavsTypes.sol";
import {IWavsSignatureScheme} from "./IWavsSignatureScheme.sol";

/// @notice Holds a service's operators, their weights and the quorum threshold, and
/// validates operator signatures against them.
/// @dev The manager checks signatures over a digest its caller computed; it knows no
/// envelope format. Handlers pass their own EIP-712 digest, which names the handler and
/// the chain, so one manager can serve many handlers without a signature for one being
/// valid for another. Its signatureScheme() is "secp256k1-ecdsa".
interface IWavsServiceManager is IWavsSignatureScheme {
    /// A signature is malformed or does not recover to signers[index].
    error InvalidSignature(uint256 index);
    /// The signer has no weight.
    error UnknownSigner(address signer);
    /// signers[index] is not strictly greater than signers[index - 1].
    error SignersNotSorted(uint256 index);
    /// The valid signatures do not reach the threshold.
    error InsufficientQuorum(uint256 signedWeight, uint256 requiredWeight);
    /// signers and signatures differ in length.
    error LengthMismatch();
    /// No signature was given.
    error NoSignatures();
    /// Only the owner may change the operator set or the service URI.
    error NotOwner();

    event OperatorUpdated(address indexed operator, uint256 weight);
    event ThresholdUpdated(uint256 threshold);

    /// @notice Reverts unless `signatureData` carries enough valid operator signatures
    /// over `digest`: signers strictly ascending, each signature 65 bytes r || s || v with
    /// low s recovering to its signer, every signer registered, their weights summing to at
    /// least `threshold()`. A signature made over any other digest fails with
    /// InvalidSignature.
    function validate(bytes32 digest, SignatureData calldata signatureData) external view;

    /// @notice Operators with non-zero weight, and their weights.
    function getOperators() external view returns (address[] memory operators, uint256[] memory weights);

    /// @notice The weight of `operator` (0 if not registered).
    function getOperatorWeight(address operator) external view returns (uint256);

    /// @notice The total weight an envelope's signers must reach.
    function threshold() external view returns (uint256);

    /// @notice The sum of all operators' weights.
    function totalWeight() external view returns (uint256);

    /// @notice Sets an operator's weight; 0 removes it. Owner only.
    function setOperator(address operator, uint256 weight) external;

    /// @notice Sets the threshold. Owner only.
    function setThreshold(uint256 threshold) external;
}
