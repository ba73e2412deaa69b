// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Envelope, SignatureData} from "./WavsTypes.sol";
import {IWavsServiceHandler} from "./IWavsServiceHandler.sol";
import {IWavsServiceManager} from "./IWavsServiceManager.sol";
import {WavsEnvelopeStore} from "./WavsEnvelopeStore.sol";

/// @notice Stores the payload of each validated envelope, once per event id.
/// @dev The digest is this handler's EIP-712 digest (WavsEip712), so signatures made for
/// another handler or another chain never reach the manager's quorum here.
contract WavsServiceHandler is IWavsServiceHandler, WavsEnvelopeStore {
    constructor(address serviceManager_) WavsEnvelopeStore(serviceManager_) {}

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
        if (_skipIfHandled(envelope)) return;
        IWavsServiceManager(serviceManager()).validate(envelopeDigest(envelope), signatureData);
        _store(envelope);
    }
}
