// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Bn254, G1Point, G2Point} from "./Bn254.sol";
import {IWavsBlsServiceManager} from "./IWavsBlsServiceManager.sol";
import {IWavsSignatureScheme} from "./IWavsSignatureScheme.sol";
import {WavsServiceURI} from "./WavsServiceURI.sol";
import {WavsPeerAddresses} from "./WavsPeerAddresses.sol";

/// @notice BLS (BN254) operator set with weights and an absolute threshold; checks a batch
/// of aggregate signatures with one pairing check (see IWavsBlsServiceManager); holds the
/// service URI (IWavsServiceURI). An operator is either a key the owner registers
/// (setOperator) or an address the owner weighs (setOperatorWeight) that registers the key
/// its node signs this service with (setSigningKey), so a key of another service counts
/// nothing; operators weighed by address publish their nodes' p2p addresses here
/// (IWavsPeerAddresses).
contract WavsBlsServiceManager is IWavsBlsServiceManager, WavsServiceURI, WavsPeerAddresses {
    /// Domain tag of the proof-of-possession digest, so a PoP is never a signature over an
    /// envelope digest and the other way round.
    bytes private constant POP_TAG = "wavs/bn254-bls/pop/v1";

    struct Operator {
        G1Point pk1;
        uint256 weight;
    }

    address public immutable owner;
    uint256 public override threshold;
    uint256 public override totalWeight;
    Operator[] private operators;
    /// Index in `operators` plus one; 0 for keys not registered.
    mapping(bytes32 => uint256) private slots;
    /// Σ pk1 of the registered operators, kept as they join and leave.
    G1Point private aggregateKey;
    /// The owner's weight of each operator at an address; it counts through its signing key.
    mapping(address => uint256) private addressWeights;
    /// Each address operator's current signing key id (0: none) and its pk1.
    mapping(address => bytes32) private signingKeys;
    mapping(address => G1Point) private signingPk1s;
    /// The operator a key id was registered by, kept after a rotation so that no other
    /// operator can take the key over.
    mapping(bytes32 => address) private keyOwners;

    /// @notice Registers the given operators (each with its proof of possession, as
    /// setOperator) and sets the threshold; the deployer becomes the owner.
    constructor(
        G1Point[] memory pk1s,
        G2Point[] memory pk2s,
        G1Point[] memory pops,
        uint256[] memory weights,
        uint256 initialThreshold
    ) {
        uint256 n = pk1s.length;
        if (pk2s.length != n || pops.length != n || weights.length != n) revert LengthMismatch();
        owner = msg.sender;
        for (uint256 i = 0; i < n; i++) {
            _setOperator(pk1s[i], pk2s[i], pops[i], weights[i]);
        }
        threshold = initialThreshold;
        emit ThresholdUpdated(initialThreshold);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// The service URI is the owner's to set, like the operator set.
    function _checkServiceURIOwner() internal view override onlyOwner {}

    /// An operator weighed by address publishes its own node's address, as it registers its
    /// signing key.
    function _checkPeerAnnouncer() internal view override {
        if (addressWeights[msg.sender] == 0) revert NotOperator(msg.sender);
    }

    function _hasPeerWeight(address operator) internal view override returns (bool) {
        return addressWeights[operator] != 0;
    }

    /// @inheritdoc IWavsSignatureScheme
    function signatureScheme() external pure override returns (string memory) {
        return "bn254-bls";
    }

    /// @inheritdoc IWavsBlsServiceManager
    function setOperator(G1Point calldata pk1, G2Point calldata pk2, G1Point calldata pop, uint256 weight)
        external
        override
        onlyOwner
    {
        _setOperator(pk1, pk2, pop, weight);
    }

    /// @inheritdoc IWavsBlsServiceManager
    function setOperatorWeight(address operator, uint256 weight) external override onlyOwner {
        addressWeights[operator] = weight;
        bytes32 id = signingKeys[operator];
        if (id != bytes32(0)) _setEntry(id, signingPk1s[operator], weight);
        emit OperatorWeightUpdated(operator, weight);
    }

    /// @inheritdoc IWavsBlsServiceManager
    function setSigningKey(G1Point calldata pk1, G2Point calldata pk2, G1Point calldata pop) external override {
        uint256 weight = addressWeights[msg.sender];
        if (weight == 0) revert NotOperator(msg.sender);
        bytes32 id = _operatorId(pk1);
        address holder = keyOwners[id];
        bool ownersKey = holder == address(0) && slots[id] != 0;
        if (ownersKey || (holder != address(0) && holder != msg.sender)) revert SigningKeyTaken(id);
        // Checked on every registration: a rogue key (one that cancels others in the
        // aggregate) has no proof of possession.
        _checkPossession(id, pk1, pk2, pop);
        bytes32 old = signingKeys[msg.sender];
        if (old != id) {
            if (old != bytes32(0)) _setEntry(old, signingPk1s[msg.sender], 0);
            keyOwners[id] = msg.sender;
            signingKeys[msg.sender] = id;
            signingPk1s[msg.sender] = pk1;
            _setEntry(id, pk1, weight);
        }
        emit OperatorRegistered(id, pk1, pk2);
        emit SigningKeyUpdated(msg.sender, id);
    }

    /// @inheritdoc IWavsBlsServiceManager
    function getLatestOperatorForSigningKey(bytes32 keyId) external view override returns (address) {
        address holder = keyOwners[keyId];
        return holder != address(0) && signingKeys[holder] == keyId ? holder : address(0);
    }

    /// @inheritdoc IWavsBlsServiceManager
    function getOperatorAddressWeight(address operator) external view override returns (uint256) {
        return addressWeights[operator];
    }

    /// @inheritdoc IWavsBlsServiceManager
    function setThreshold(uint256 newThreshold) external override onlyOwner {
        threshold = newThreshold;
        emit ThresholdUpdated(newThreshold);
    }

    function _setOperator(G1Point memory pk1, G2Point memory pk2, G1Point memory pop, uint256 weight) private {
        bytes32 id = _operatorId(pk1);
        // An operator's registered key is weighed through setOperatorWeight only.
        if (keyOwners[id] != address(0)) revert SigningKeyTaken(id);
        if (slots[id] == 0 && weight != 0) {
            _checkPossession(id, pk1, pk2, pop);
            emit OperatorRegistered(id, pk1, pk2);
        }
        _setEntry(id, pk1, weight);
    }

    /// Adds, reweighs or removes the key `id` in the operator list; its possession is proven.
    function _setEntry(bytes32 id, G1Point memory pk1, uint256 weight) private {
        uint256 slot = slots[id];
        if (slot == 0 && weight != 0) {
            operators.push(Operator(pk1, weight));
            slots[id] = operators.length;
            aggregateKey = Bn254.add(aggregateKey, pk1);
            totalWeight += weight;
        } else if (slot != 0 && weight == 0) {
            _remove(id, slot - 1);
        } else if (slot != 0) {
            totalWeight = totalWeight - operators[slot - 1].weight + weight;
            operators[slot - 1].weight = weight;
        }
        emit OperatorUpdated(id, weight);
    }

    /// Swap and pop: the last operator takes index `index`; every other index stays.
    function _remove(bytes32 id, uint256 index) private {
        Operator memory gone = operators[index];
        uint256 last = operators.length - 1;
        if (index != last) {
            Operator memory moved = operators[last];
            operators[index] = moved;
            slots[_operatorId(moved.pk1)] = index + 1;
        }
        operators.pop();
        delete slots[id];
        aggregateKey = Bn254.add(aggregateKey, Bn254.negate(gone.pk1));
        totalWeight -= gone.weight;
    }

    /// One 2-pair check of both facts a new key must prove, with a random γ binding them:
    /// pop = sk·H (pop signs popDigest under pk2) and pk1 = sk·G1 (pk1 shares pk2's sk):
    /// e(pop + γ·pk1, −G2) · e(H + γ·G1, pk2) == 1. Without the second, a registered pk1
    /// could differ from the pk2 its owner signs with, and the aggregate pk1 the manager
    /// keeps would not match the keys that sign.
    function _checkPossession(bytes32 id, G1Point memory pk1, G2Point memory pk2, G1Point memory pop) private view {
        bool pk2Infinity = pk2.X[0] == 0 && pk2.X[1] == 0 && pk2.Y[0] == 0 && pk2.Y[1] == 0;
        if (Bn254.isInfinity(pk1) || pk2Infinity) revert InvalidPublicKey();
        G1Point memory h = Bn254.hashToG1(_popDigest(pk1, pk2));
        uint256 gamma = uint256(keccak256(abi.encode(pop, pk1, pk2, h))) % Bn254.R;
        if (!_signedByTwins(pop, h, pk1, pk2, gamma)) revert InvalidProofOfPossession(id);
    }

    /// @inheritdoc IWavsBlsServiceManager
    function checkSignatures(
        bytes32[] memory digests,
        G1Point[] memory sigmas,
        G2Point memory apkG2,
        uint32[] memory nonSignerIndices
    ) external view override returns (uint256 signedWeight) {
        uint256 n = digests.length;
        if (n == 0) revert NoDigests();
        if (sigmas.length != n) revert LengthMismatch();
        G1Point memory signerKey;
        (signerKey, signedWeight) = _signers(nonSignerIndices);
        if (signedWeight < threshold) revert InsufficientQuorum(signedWeight, threshold);
        // Keys that cancel out would let σ = 0 pass for any digest.
        if (Bn254.isInfinity(signerKey)) revert InvalidAggregateSignature();

        (G1Point memory sigma, G1Point memory hm) =
            _fold(digests, sigmas, keccak256(abi.encode(digests, sigmas, apkG2, nonSignerIndices)));
        _verify(sigma, hm, signerKey, apkG2);
    }

    /// The batch's pairing check, with γ = keccak256(abi.encode(Hm, Σ, apk1, apkG2)) mod r.
    function _verify(G1Point memory sigma, G1Point memory hm, G1Point memory signerKey, G2Point memory apkG2)
        private
        view
    {
        uint256 gamma = uint256(keccak256(abi.encode(hm, sigma, signerKey, apkG2))) % Bn254.R;
        if (!_signedByTwins(sigma, hm, signerKey, apkG2, gamma)) revert InvalidAggregateSignature();
    }

    /// Whether sig = sk·h under key2 = sk·G2 and key1 = sk·G1, for one sk, in one 2-pair check:
    /// e(sig + γ·key1, −G2) · e(h + γ·G1, key2) == 1. γ must be derived from all four points,
    /// so that no choice of them makes the two facts' errors cancel.
    function _signedByTwins(G1Point memory sig, G1Point memory h, G1Point memory key1, G2Point memory key2, uint256 gamma)
        private
        view
        returns (bool)
    {
        return Bn254.pairing2(
            Bn254.add(sig, Bn254.mul(key1, gamma)), Bn254.negG2(), Bn254.add(h, Bn254.mul(Bn254.g1(), gamma)), key2
        );
    }

    /// Σ t_i·σ_i and Σ t_i·hashToG1(d_i) with t_i = keccak256(abi.encode(batchHash, i)) mod r.
    /// The random t_i, fixed by everything submitted, fold the n checks
    /// e(σ_i, G2) == e(H(d_i), apkG2) into one: a wrong σ_i passes only if the t_i cancel
    /// its error, which the submitter cannot arrange without breaking keccak256.
    function _fold(bytes32[] memory digests, G1Point[] memory sigmas, bytes32 batchHash)
        private
        view
        returns (G1Point memory sigma, G1Point memory hm)
    {
        for (uint256 i = 0; i < digests.length; i++) {
            uint256 t = uint256(keccak256(abi.encode(batchHash, i))) % Bn254.R;
            sigma = Bn254.add(sigma, Bn254.mul(sigmas[i], t));
            hm = Bn254.add(hm, Bn254.mul(Bn254.hashToG1(digests[i]), t));
        }
    }

    /// The signers' aggregate G1 key and weight: all operators minus the non-signers.
    function _signers(uint32[] memory nonSignerIndices)
        private
        view
        returns (G1Point memory signerKey, uint256 signedWeight)
    {
        uint256 count = operators.length;
        G1Point memory missingKey;
        uint256 missingWeight = 0;
        for (uint256 j = 0; j < nonSignerIndices.length; j++) {
            uint32 index = nonSignerIndices[j];
            if (j > 0 && index <= nonSignerIndices[j - 1]) revert NonSignersNotSorted(j);
            if (index >= count) revert NonSignerOutOfRange(index, count);
            Operator storage op = operators[index];
            missingKey = Bn254.add(missingKey, op.pk1);
            missingWeight += op.weight;
        }
        // Sorted and in range, so as many non-signers as operators means all of them.
        if (nonSignerIndices.length == count) revert NoSigners();
        signerKey = Bn254.add(aggregateKey, Bn254.negate(missingKey));
        signedWeight = totalWeight - missingWeight;
    }

    /// @inheritdoc IWavsBlsServiceManager
    function getOperators()
        external
        view
        override
        returns (bytes32[] memory operatorIds, uint256[] memory weights, G1Point[] memory pk1s)
    {
        uint256 n = operators.length;
        operatorIds = new bytes32[](n);
        weights = new uint256[](n);
        pk1s = new G1Point[](n);
        for (uint256 i = 0; i < n; i++) {
            Operator storage op = operators[i];
            pk1s[i] = op.pk1;
            weights[i] = op.weight;
            operatorIds[i] = _operatorId(op.pk1);
        }
    }

    /// @inheritdoc IWavsBlsServiceManager
    function getOperatorWeight(bytes32 operatorId) external view override returns (uint256) {
        uint256 slot = slots[operatorId];
        return slot == 0 ? 0 : operators[slot - 1].weight;
    }

    /// @inheritdoc IWavsBlsServiceManager
    function apk() external view override returns (G1Point memory) {
        return aggregateKey;
    }

    /// @inheritdoc IWavsBlsServiceManager
    function popDigest(G1Point calldata pk1, G2Point calldata pk2) external pure override returns (bytes32) {
        return _popDigest(pk1, pk2);
    }

    /// @inheritdoc IWavsBlsServiceManager
    function hashToG1(bytes32 digest) external view override returns (G1Point memory) {
        return Bn254.hashToG1(digest);
    }

    function _popDigest(G1Point memory pk1, G2Point memory pk2) private pure returns (bytes32) {
        return sha256(abi.encodePacked(POP_TAG, pk1.X, pk1.Y, pk2.X[0], pk2.X[1], pk2.Y[0], pk2.Y[1]));
    }

    function _operatorId(G1Point memory pk1) private pure returns (bytes32) {
        return keccak256(abi.encodePacked(pk1.X, pk1.Y));
    }
}
