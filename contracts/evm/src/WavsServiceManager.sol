// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {SignatureData} from "./WavsTypes.sol";
import {IWavsServiceManager} from "./IWavsServiceManager.sol";
import {IWavsSignatureScheme} from "./IWavsSignatureScheme.sol";
import {WavsServiceURI} from "./WavsServiceURI.sol";
import {WavsPeerAddresses} from "./WavsPeerAddresses.sol";

/// @notice Operator set with weights and an absolute threshold; validates signatures over
/// digests its handlers compute (see IWavsServiceManager.validate); holds the service URI
/// (IWavsServiceURI). Weights are per operator; each operator signs with the key it
/// registered for this service (setSigningKey), so a key of another service counts nothing;
/// operators publish their nodes' p2p addresses here (IWavsPeerAddresses).
contract WavsServiceManager is IWavsServiceManager, WavsServiceURI, WavsPeerAddresses {
    /// Upper bound of s for non-malleable signatures (secp256k1 n / 2).
    uint256 private constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    address public immutable owner;
    uint256 public override threshold;
    uint256 public override totalWeight;
    mapping(address => uint256) private weights;
    address[] private operatorList;
    /// Each operator's current signing key; none: it signs with its own address.
    mapping(address => address) private signingKeys;
    /// The operator a key was registered by, kept after a rotation so that no other
    /// operator can take the key over.
    mapping(address => address) private keyOwners;

    constructor(address[] memory operators, uint256[] memory operatorWeights, uint256 initialThreshold) {
        if (operators.length != operatorWeights.length) revert LengthMismatch();
        owner = msg.sender;
        for (uint256 i = 0; i < operators.length; i++) {
            _setOperator(operators[i], operatorWeights[i]);
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

    /// An operator publishes its own node's address, as it registers its own signing key.
    function _checkPeerAnnouncer() internal view override {
        if (weights[msg.sender] == 0) revert NotOperator(msg.sender);
    }

    function _hasPeerWeight(address operator) internal view override returns (bool) {
        return weights[operator] != 0;
    }

    /// @inheritdoc IWavsServiceManager
    function setOperator(address operator, uint256 weight) external override onlyOwner {
        _setOperator(operator, weight);
    }

    /// @inheritdoc IWavsServiceManager
    function setThreshold(uint256 newThreshold) external override onlyOwner {
        threshold = newThreshold;
        emit ThresholdUpdated(newThreshold);
    }

    /// @inheritdoc IWavsServiceManager
    function setSigningKey(address signingKey) external override {
        if (weights[msg.sender] == 0) revert NotOperator(msg.sender);
        address holder = keyOwners[signingKey];
        bool othersAddress = signingKey != msg.sender && weights[signingKey] != 0;
        if (signingKey == address(0) || othersAddress || (holder != address(0) && holder != msg.sender)) {
            revert SigningKeyTaken(signingKey);
        }
        signingKeys[msg.sender] = signingKey;
        keyOwners[signingKey] = msg.sender;
        emit SigningKeyUpdated(msg.sender, signingKey);
    }

    /// @inheritdoc IWavsServiceManager
    function getLatestOperatorForSigningKey(address signingKey) public view override returns (address) {
        address holder = keyOwners[signingKey];
        if (holder != address(0)) return signingKeys[holder] == signingKey ? holder : address(0);
        // An operator that registered no key signs with its own address.
        return signingKeys[signingKey] == address(0) && weights[signingKey] != 0 ? signingKey : address(0);
    }

    function _signingKeyOf(address operator) private view returns (address) {
        address key = signingKeys[operator];
        return key == address(0) ? operator : key;
    }

    function _setOperator(address operator, uint256 weight) private {
        uint256 old = weights[operator];
        if (old == 0 && weight != 0) operatorList.push(operator);
        if (old != 0 && weight == 0) {
            for (uint256 i = 0; i < operatorList.length; i++) {
                if (operatorList[i] == operator) {
                    operatorList[i] = operatorList[operatorList.length - 1];
                    operatorList.pop();
                    break;
                }
            }
        }
        weights[operator] = weight;
        totalWeight = totalWeight - old + weight;
        emit OperatorUpdated(operator, weight);
    }

    /// @inheritdoc IWavsServiceManager
    function getOperators() external view override returns (address[] memory operators, uint256[] memory operatorWeights) {
        operators = new address[](operatorList.length);
        operatorWeights = new uint256[](operators.length);
        for (uint256 i = 0; i < operators.length; i++) {
            operators[i] = _signingKeyOf(operatorList[i]);
            operatorWeights[i] = weights[operatorList[i]];
        }
    }

    /// @inheritdoc IWavsSignatureScheme
    function signatureScheme() external pure override returns (string memory) {
        return "secp256k1-ecdsa";
    }

    /// @inheritdoc IWavsServiceManager
    function getOperatorWeight(address operator) external view override returns (uint256) {
        return weights[operator];
    }

    /// @inheritdoc IWavsServiceManager
    function validate(bytes32 digest, SignatureData calldata data) external view override {
        uint256 n = data.signers.length;
        if (n == 0) revert NoSignatures();
        if (n != data.signatures.length) revert LengthMismatch();
        uint256 signed = 0;
        for (uint256 i = 0; i < n; i++) {
            address signer = data.signers[i];
            if (i > 0 && signer <= data.signers[i - 1]) revert SignersNotSorted(i);
            if (_recover(digest, data.signatures[i]) != signer) revert InvalidSignature(i);
            uint256 weight = weights[getLatestOperatorForSigningKey(signer)];
            if (weight == 0) revert UnknownSigner(signer);
            signed += weight;
        }
        if (signed < threshold) revert InsufficientQuorum(signed, threshold);
    }

    /// Recovers the signer of a 65-byte r || s || v signature; address(0) if malformed.
    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address) {
        if (signature.length != 65) return address(0);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (v != 27 && v != 28) return address(0);
        if (uint256(s) > HALF_ORDER) return address(0);
        return ecrecover(digest, v, r, s);
    }
}
