//! The reference contracts' interfaces (contracts/evm/src), for encoding calls and
//! decoding results and reverts.

alloy_sol_types::sol! {
    /// Also the EIP-712 struct operators sign (see crate::crypto).
    #[derive(Debug, PartialEq)]
    struct Envelope {
        bytes20 eventId;
        bytes12 ordering;
        bytes payload;
    }

    #[derive(Debug, PartialEq)]
    struct SignatureData {
        address[] signers;
        bytes[] signatures;
        uint64 referenceBlock;
    }

    #[derive(Debug)]
    interface IWavsServiceManager {
        error InvalidSignature(uint256 index);
        error UnknownSigner(address signer);
        error SignersNotSorted(uint256 index);
        error InsufficientQuorum(uint256 signedWeight, uint256 requiredWeight);
        error LengthMismatch();
        error NoSignatures();
        error NotOwner();
        function validate(bytes32 digest, SignatureData calldata signatureData) external view;
        function getOperators() external view returns (address[] memory operators, uint256[] memory weights);
        function threshold() external view returns (uint256);
        function setOperator(address operator, uint256 weight) external;
        /// The scheme operators sign with, as the WIT names it ("secp256k1-ecdsa").
        /// Managers from before it revert: they are secp256k1-ecdsa managers.
        function signatureScheme() external view returns (string memory);
        error SigningKeyTaken(address signingKey);
        error NotOperator(address caller);
        function setSigningKey(address signingKey) external;
        function getLatestOperatorForSigningKey(address signingKey) external view returns (address);
        function getOperatorWeight(address operator) external view returns (uint256);
    }

    #[derive(Debug)]
    interface IWavsServiceHandler {
        error BatchLengthMismatch();
        event EnvelopeHandled(bytes20 indexed eventId, bytes payload);
        function handleSignedEnvelopes(Envelope[] calldata envelopes, SignatureData[] calldata signatureData) external;
        function isHandled(bytes20 eventId) external view returns (bool);
        function payloadOf(bytes20 eventId) external view returns (bytes memory);
        function serviceManager() external view returns (address);
        function envelopeDigest(Envelope calldata envelope) external view returns (bytes32);
    }

    /// A BN254 G1 point, affine; (0, 0) is infinity.
    #[derive(Debug, PartialEq)]
    struct G1Point {
        uint256 X;
        uint256 Y;
    }

    /// A BN254 G2 point, coordinates `[imaginary, real]` (EIP-197 order).
    #[derive(Debug, PartialEq)]
    struct G2Point {
        uint256[2] X;
        uint256[2] Y;
    }

    /// The BLS manager's errors besides those the ECDSA manager shares with it
    /// (`NotOwner`, `LengthMismatch`, `InsufficientQuorum`: same selectors, decoded there).
    #[derive(Debug)]
    interface IWavsBlsServiceManager {
        error InvalidAggregateSignature();
        error NonSignerOutOfRange(uint32 index, uint256 operatorCount);
        error NonSignersNotSorted(uint256 position);
        error NoSigners();
        error NoDigests();
        error InvalidProofOfPossession(bytes32 operatorId);
        error InvalidPublicKey();
        /// From the Bn254 library: a point off its curve reached a precompile.
        error PrecompileFailed(uint256 precompile);
        function getOperators() external view returns (bytes32[] memory operatorIds, uint256[] memory weights, G1Point[] memory pk1s);
        function threshold() external view returns (uint256);
        function setOperator(G1Point calldata pk1, G2Point calldata pk2, G1Point calldata pop, uint256 weight) external;
        error NotOperator(address caller);
        error SigningKeyTaken(bytes32 keyId);
        function setSigningKey(G1Point calldata pk1, G2Point calldata pk2, G1Point calldata pop) external;
        function setOperatorWeight(address operator, uint256 weight) external;
        function getLatestOperatorForSigningKey(bytes32 keyId) external view returns (address);
    }

    #[derive(Debug)]
    interface IWavsBlsServiceHandler {
        function handleSignedEnvelopes(Envelope[] calldata envelopes, G1Point[] calldata sigmas, G2Point calldata apkG2, uint32[] calldata nonSignerIndices) external;
    }

    /// The service URI both reference managers hold (`IWavsServiceURI.sol`).
    #[derive(Debug)]
    interface IWavsServiceURI {
        error ServiceURITooLong(uint256 length, uint256 max);
        event ServiceURIUpdated(string uri);
        function serviceURI() external view returns (string memory);
        function setServiceURI(string calldata uri) external;
    }

    /// The operators' p2p addresses both reference managers hold (`IWavsPeerAddresses.sol`).
    #[derive(Debug)]
    interface IWavsPeerAddresses {
        error PeerAddressTooLong(uint256 length, uint256 max);
        function peerAddresses() external view returns (string[] memory);
        function setPeerAddress(string calldata peerAddress) external;
    }

    #[derive(Debug)]
    interface IWavsTrigger {
        function fire(bytes calldata payload) external returns (uint64 triggerId);
    }
}

/// The trigger contract's event, as a workflow filter names it.
pub const TRIGGER_EVENT: &str = "TriggerFired(uint64,address,bytes)";

/// The managers' event for a changed service URI, as a filter names it.
pub const SERVICE_URI_EVENT: &str = "ServiceURIUpdated(string)";
