// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Envelope, SignatureData} from "./WavsTypes.sol";
import {IWavsEip712} from "./IWavsEip712.sol";

/// @notice Accepts signed envelopes, each event id once, and stores their payloads.
/// @dev Operators sign `envelopeDigest(envelope)` (see IWavsEip712), which names this
/// handler and the chain it runs on. The handler computes that digest itself, from its own
/// address and `block.chainid`, and asks its service manager whether the signatures over
/// it reach the quorum; nothing in the transaction chooses the digest.
interface IWavsServiceHandler is IWavsEip712 {
    /// An envelope was validated and its payload stored.
    event EnvelopeHandled(bytes20 indexed eventId, bytes payload);
    /// An envelope's event id was already handled; it was skipped.
    event EnvelopeSkipped(bytes20 indexed eventId);
    /// envelopes and signatureData differ in length.
    error BatchLengthMismatch();

    /// @notice Handles a batch in one transaction. Already-handled event ids are skipped;
    /// an invalid envelope reverts the whole batch with the manager's error.
    function handleSignedEnvelopes(Envelope[] calldata envelopes, SignatureData[] calldata signatureData) external;

    /// @notice Handles one envelope.
    function handleSignedEnvelope(Envelope calldata envelope, SignatureData calldata signatureData) external;

    /// @notice Whether `eventId` was handled.
    function isHandled(bytes20 eventId) external view returns (bool);

    /// @notice The payload stored for `eventId` (empty if not handled).
    function payloadOf(bytes20 eventId) external view returns (bytes memory);

    /// @notice The manager whose operator set validates this handler's signatures.
    function serviceManager() external view returns (address);

    /// @notice How many envelopes were handled.
    function handledCount() external view returns (uint256);
}
