// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Envelope} from "./WavsTypes.sol";
import {IWavsEnvelopeStore} from "./IWavsEnvelopeStore.sol";
import {WavsEip712} from "./WavsEip712.sol";

/// @notice The storage of a WAVS handler: each event id handled once, its payload kept.
/// @dev Handlers differ only in how they have signatures checked; they skip, check, store
/// in the order that suits their manager and leave the bookkeeping to this contract.
abstract contract WavsEnvelopeStore is IWavsEnvelopeStore, WavsEip712 {
    address private immutable manager;
    mapping(bytes20 => bool) private handled;
    mapping(bytes20 => bytes) private payloads;
    uint256 public override handledCount;

    constructor(address serviceManager_) {
        manager = serviceManager_;
    }

    /// Whether `envelope`'s event id is handled (emitting EnvelopeSkipped if so).
    function _skipIfHandled(Envelope calldata envelope) internal returns (bool skipped) {
        skipped = handled[envelope.eventId];
        if (skipped) emit EnvelopeSkipped(envelope.eventId);
    }

    /// Marks `envelope`'s event id handled and stores its payload.
    function _store(Envelope calldata envelope) internal {
        handled[envelope.eventId] = true;
        payloads[envelope.eventId] = envelope.payload;
        handledCount += 1;
        emit EnvelopeHandled(envelope.eventId, envelope.payload);
    }

    /// @inheritdoc IWavsEnvelopeStore
    function isHandled(bytes20 eventId) external view override returns (bool) {
        return handled[eventId];
    }

    /// @inheritdoc IWavsEnvelopeStore
    function payloadOf(bytes20 eventId) external view override returns (bytes memory) {
        return payloads[eventId];
    }

    /// @inheritdoc IWavsEnvelopeStore
    function serviceManager() public view override returns (address) {
        return manager;
    }
}
