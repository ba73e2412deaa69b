// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {G1Point, G2Point} from "./Bn254.sol";
import {IWavsSignatureScheme} from "./IWavsSignatureScheme.sol";

/// @notice Holds a service's BLS (BN254) operators, their weights and the quorum threshold,
/// and checks aggregate signatures over batches of digests against them. Its
/// signatureScheme() is "bn254-bls".
/// @dev Keys: an operator's secret sk gives pk1 = sk·G1 and pk2 = sk·G2; it signs a digest d
/// as σ = sk·hashToG1(d). Its id is keccak256(abi.encodePacked(pk1.X, pk1.Y)).
/// Operators sit in a list whose indices callers name as non-signers. Removing the operator
/// at index i moves the last operator to i (swap and pop); no other index changes. Indices
/// are read at the block a check runs, so a submission built against an older list fails
/// if the list changed in between (with InvalidAggregateSignature, InsufficientQuorum or a
/// non-signer error), never by counting another operator's weight as signed.
interface IWavsBlsServiceManager is IWavsSignatureScheme {
    /// Only the owner may change the operator set or the service URI.
    error NotOwner();
    /// Arrays that must be aligned differ in length.
    error LengthMismatch();
    /// checkSignatures was given no digest.
    error NoDigests();
    /// nonSignerIndices[position] is not strictly greater than the one before it.
    error NonSignersNotSorted(uint256 position);
    /// A non-signer index is not below the number of operators.
    error NonSignerOutOfRange(uint32 index, uint256 operatorCount);
    /// Every operator is listed as a non-signer (or there are no operators).
    error NoSigners();
    /// The signers' weight does not reach the threshold.
    error InsufficientQuorum(uint256 signedWeight, uint256 requiredWeight);
    /// The pairing check of a batch failed: some σ is not the signers' aggregate signature
    /// over its digest, or apkG2 is not the signers' aggregate G2 key.
    error InvalidAggregateSignature();
    /// pk1 or pk2 is the point at infinity.
    error InvalidPublicKey();
    /// pop is not pk2's signature over popDigest(pk1, pk2), or pk1 and pk2 have different
    /// secrets.
    error InvalidProofOfPossession(bytes32 operatorId);
    /// setSigningKey was called by an address the owner gave no weight (setOperatorWeight).
    error NotOperator(address caller);
    /// The key is registered by another operator (now or before a rotation), or by the owner
    /// directly (setOperator); or setOperator named a key an operator registered.
    error SigningKeyTaken(bytes32 keyId);

    /// An operator's weight was set (0: removed).
    event OperatorUpdated(bytes32 indexed operatorId, uint256 weight);
    /// A key joined the operator list; pk2 is logged so that aggregators can build apkG2.
    event OperatorRegistered(bytes32 indexed operatorId, G1Point pk1, G2Point pk2);
    event ThresholdUpdated(uint256 threshold);
    /// The owner set the weight of the operator at `operator` (0: its key leaves the list).
    event OperatorWeightUpdated(address indexed operator, uint256 weight);
    /// `operator` signs with the key `keyId` from now on; its earlier key counts no more.
    event SigningKeyUpdated(address indexed operator, bytes32 indexed keyId);

    /// @notice Registers, reweighs or removes an operator identified by its key. Owner only.
    /// @dev weight 0 removes the key (pk2 and pop unread). A key already registered only
    /// gets `weight` (pk2 and pop unread). A new key must carry its proof of possession:
    /// pop = sk·hashToG1(popDigest(pk1, pk2)), checked together with pk1 and pk2 sharing sk.
    function setOperator(G1Point calldata pk1, G2Point calldata pk2, G1Point calldata pop, uint256 weight) external;

    /// @notice Sets the weight of the operator at address `operator`. Owner only.
    /// @dev The weight counts through the key the operator registers with setSigningKey;
    /// until then the operator is not in getOperators(). 0 takes its key off the list.
    function setOperatorWeight(address operator, uint256 weight) external;

    /// @notice Registers (or rotates to) the key the calling operator's node signs this
    /// service's envelopes with (`wavs keys --service` lists it), with its proof of
    /// possession checked as in setOperator, so no operator can register a rogue key that
    /// cancels others in the aggregate. The earlier key leaves the list at once; a key
    /// belongs to one operator for good. The caller must have a weight.
    function setSigningKey(G1Point calldata pk1, G2Point calldata pk2, G1Point calldata pop) external;

    /// @notice The operator whose current signing key has id `keyId` (address(0) if none,
    /// or if the owner registered the key directly with setOperator).
    function getLatestOperatorForSigningKey(bytes32 keyId) external view returns (address);

    /// @notice The weight the owner gave the operator at `operator` (0 if none).
    function getOperatorAddressWeight(address operator) external view returns (uint256);

    /// @notice Sets the threshold. Owner only.
    function setThreshold(uint256 threshold) external;

    /// @notice Reverts unless the operators minus `nonSignerIndices` reach the threshold and
    /// each sigmas[i] is their aggregate signature over digests[i] under the aggregate G2 key
    /// `apkG2`; returns the signers' weight.
    /// @dev nonSignerIndices: strictly increasing indices into getOperators(). One pairing
    /// check covers the whole batch: with t_i = keccak256(abi.encode(batchHash, i)) mod r,
    /// batchHash = keccak256(abi.encode(digests, sigmas, apkG2, nonSignerIndices)),
    /// Σ = Σ t_i·σ_i, Hm = Σ t_i·hashToG1(d_i), apk1 = apk() − Σ pk1 of the non-signers,
    /// γ = keccak256(abi.encode(Hm, Σ, apk1, apkG2)) mod r, it requires
    /// e(Σ + γ·apk1, −G2) · e(Hm + γ·G1, apkG2) == 1.
    function checkSignatures(
        bytes32[] memory digests,
        G1Point[] memory sigmas,
        G2Point memory apkG2,
        uint32[] memory nonSignerIndices
    ) external view returns (uint256 signedWeight);

    /// @notice The operators in index order: their ids, weights and G1 keys. An operator
    /// at an address appears with its current signing key.
    function getOperators()
        external
        view
        returns (bytes32[] memory operatorIds, uint256[] memory weights, G1Point[] memory pk1s);

    /// @notice The weight of `operatorId` (0 if not registered).
    function getOperatorWeight(bytes32 operatorId) external view returns (uint256);

    /// @notice The total weight a batch's signers must reach.
    function threshold() external view returns (uint256);

    /// @notice The sum of all operators' weights.
    function totalWeight() external view returns (uint256);

    /// @notice The sum of all operators' pk1 (infinity when there are none).
    function apk() external view returns (G1Point memory);

    /// @notice The digest a proof of possession signs:
    /// sha256("wavs/bn254-bls/pop/v1" ‖ pk1.X ‖ pk1.Y ‖ pk2.X[0] ‖ pk2.X[1] ‖ pk2.Y[0] ‖ pk2.Y[1]).
    function popDigest(G1Point calldata pk1, G2Point calldata pk2) external pure returns (bytes32);

    /// @notice The G1 point a signature over `digest` multiplies (Bn254.hashToG1).
    function hashToG1(bytes32 digest) external view returns (G1Point memory);
}
