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
    /// The key is zero, another operator's own address, or registered by another operator.
    error SigningKeyTaken(address signingKey);
    /// setSigningKey was called by an address the owner gave no weight (setOperator).
    error NotOperator(address caller);

    event OperatorUpdated(address indexed operator, uint256 weight);
    /// `operator` signs with `signingKey` from now on; its earlier key counts no more.
    event SigningKeyUpdated(address indexed operator, address indexed signingKey);
    event ThresholdUpdated(uint256 threshold);

    /// @notice Reverts unless `signatureData` carries enough valid operator signatures
    /// over `digest`: signers strictly ascending, each signature 65 bytes r || s || v with
    /// low s recovering to its signer, every signer registered, their weights summing to at
    /// least `threshold()`. A signer is an operator's current signing key (an operator that
    /// registered none signs with its own address); a rotated-out key is UnknownSigner. A
    /// signature made over any other digest fails with InvalidSignature.
    function validate(bytes32 digest, SignatureData calldata signatureData) external view;

    /// @notice The current signing key of each operator with non-zero weight (its own
    /// address if it registered none), and its weight: whom signatures must come from.
    function getOperators() external view returns (address[] memory operators, uint256[] memory weights);

    /// @notice Registers (or rotates to) the key the calling operator's node signs this
    /// service's envelopes with (`wavs keys --service` lists it); the earlier key stops
    /// counting at once. A key belongs to one operator for good. Only an operator may
    /// register: otherwise anyone could claim an operator's key first (front-running its
    /// registration) and lock it out with SigningKeyTaken.
    function setSigningKey(address signingKey) external;

    /// @notice The operator whose current signing key `signingKey` is (address(0) if none).
    function getLatestOperatorForSigningKey(address signingKey) external view returns (address);

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
