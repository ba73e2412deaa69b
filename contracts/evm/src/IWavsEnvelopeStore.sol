// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IWavsEip712} from "./IWavsEip712.sol";

/// @notice What every WAVS handler shows, whatever signature scheme its manager checks:
/// which event ids it handled, their payloads, and the manager it trusts.
interface IWavsEnvelopeStore is IWavsEip712 {
    /// An envelope was validated and its payload stored.
    event EnvelopeHandled(bytes20 indexed eventId, bytes payload);
    /// An envelope's event id was already handled; it was skipped.
    event EnvelopeSkipped(bytes20 indexed eventId);
    /// A batch's envelopes and signatures differ in length.
    error BatchLengthMismatch();

    /// @notice Whether `eventId` was handled.
    function isHandled(bytes20 eventId) external view returns (bool);

    /// @notice The payload stored for `eventId` (empty if not handled).
    function payloadOf(bytes20 eventId) external view returns (bytes memory);

    /// @notice The manager whose operator set validates this handler's signatures.
    function serviceManager() external view returns (address);

    /// @notice How many envelopes were handled.
    function handledCount() external view returns (uint256);
}
