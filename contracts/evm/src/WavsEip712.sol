// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Envelope} from "./WavsTypes.sol";
import {IWavsEip712} from "./IWavsEip712.sol";

/// @notice The EIP-712 domain and envelope digest of a WAVS handler.
/// @dev Operators sign `envelopeDigest(envelope)`: EIP-712 typed data whose domain is
/// `{name: "WAVS", version: "2", chainId: block.chainid, verifyingContract: address(this)}`
/// and whose struct is `Envelope(bytes20 eventId,bytes12 ordering,bytes payload)`. Binding
/// the chain id and the handler's own address makes a signature valid for this handler on
/// this chain only: replayed to any other handler (on the same manager or another) or to
/// any other chain, it recovers to a different address and the manager refuses it.
abstract contract WavsEip712 is IWavsEip712 {
    /// EIP-712 name of the domain.
    string internal constant DOMAIN_NAME = "WAVS";
    /// EIP-712 version of the domain; "2" because version 1 was the EIP-191 digest that
    /// named no destination.
    string internal constant DOMAIN_VERSION = "2";

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant ENVELOPE_TYPEHASH = keccak256("Envelope(bytes20 eventId,bytes12 ordering,bytes payload)");
    bytes32 private constant NAME_HASH = keccak256(bytes(DOMAIN_NAME));
    bytes32 private constant VERSION_HASH = keccak256(bytes(DOMAIN_VERSION));

    // The separator is cached for the chain and address it was built for. A fork under
    // another chain id (or a delegatecall from another address) misses the cache and
    // rebuilds it, so a signature for the original chain never verifies there.
    uint256 private immutable cachedChainId;
    address private immutable cachedThis;
    bytes32 private immutable cachedDomainSeparator;

    constructor() {
        cachedChainId = block.chainid;
        cachedThis = address(this);
        cachedDomainSeparator = _buildDomainSeparator();
    }

    /// @inheritdoc IWavsEip712
    function domainSeparator() public view override returns (bytes32) {
        if (block.chainid == cachedChainId && address(this) == cachedThis) return cachedDomainSeparator;
        return _buildDomainSeparator();
    }

    /// @inheritdoc IWavsEip712
    /// @dev keccak256("\x19\x01" || domainSeparator() || hashStruct(envelope)).
    function envelopeDigest(Envelope calldata envelope) public view override returns (bytes32) {
        bytes32 structHash =
            keccak256(abi.encode(ENVELOPE_TYPEHASH, envelope.eventId, envelope.ordering, keccak256(envelope.payload)));
        return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
    }

    /// @inheritdoc IWavsEip712
    function eip712Domain()
        external
        view
        override
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        )
    {
        return (hex"0f", DOMAIN_NAME, DOMAIN_VERSION, block.chainid, address(this), bytes32(0), new uint256[](0));
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }
}
