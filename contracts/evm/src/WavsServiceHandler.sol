// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Envelope, SignatureData} from "./WavsTypes.sol";
import {IWavsServiceHandler} from "./IWavsServiceHandler.sol";
import {IWavsServiceManager} from "./IWavsServiceManager.sol";
import {WavsEip712} from "./WavsEip712.sol";

/// @notice Stores the payload of each validated envelope, once per event id.
/// @dev The digest is this handler's EIP-712 digest (WavsEip712), so signatures made for
/// another handler or another chain never reach the manager's quorum here.
contract WavsServiceHandler is IWavsServiceHandler, WavsEip712 {
    IWavsServiceManager private immutable manager;
    mapping(bytes20 => bool) private handled;
    mapping(bytes20 => bytes) private payloads;
    uint256 public override handledCount;

    constructor(address serviceManager_) {
        manager = IWavsServiceManager(serviceManager_);
    }

    /// @inheritdoc IWavsServiceHandler
    function handleSignedEnvelopes(Envelope[] calldata envelopes, SignatureData[] calldata signatureData) external override {
        if (envelopes.length != signatureData.length) revert BatchLengthMismatch();
        for (uint256 i = 0; i < envelopes.length; i++) {
            _handle(envelopes[i], signatureData[i]);
        }
    }

    /// @inheritdoc IWavsServiceHandler
    function handleSignedEnvelope(Envelope calldata envelope, SignatureData calldata signatureData) external override {
        _handle(envelope, signatureData);
    }

    function _handle(Envelope calldata envelope, SignatureData calldata signatureData) private {
        if (handled[envelope.eventId]) {
            emit EnvelopeSkipped(envelope.eventId);
            return;
        }
        manager.validate(envelopeDigest(envelope), signatureData);
        handled[envelope.eventId] = true;
        payloads[envelope.eventId] = envelope.payload;
        handledCount += 1;
        emit EnvelopeHandled(envelope.eventId, envelope.payload);
    }

    /// @inheritdoc IWavsServiceHandler
    function isHandled(bytes20 eventId) external view override returns (bool) {
        return handled[eventId];
    }

    /// @inheritdoc IWavsServiceHandler
    function payloadOf(bytes20 eventId) external view override returns (bytes memory) {
        return payloads[eventId];
    }

    /// @inheritdoc IWavsServiceHandler
    function serviceManager() external view override returns (address) {
        return address(manager);
    }
}
