// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Envelope} from "./WavsTypes.sol";
import {G1Point, G2Point} from "./Bn254.sol";
import {IWavsBlsServiceHandler} from "./IWavsBlsServiceHandler.sol";
import {IWavsBlsServiceManager} from "./IWavsBlsServiceManager.sol";
import {WavsEnvelopeStore} from "./WavsEnvelopeStore.sol";

/// @notice Stores the payload of each envelope of a BLS-signed batch, once per event id.
/// @dev The digests are this handler's EIP-712 digests (WavsEip712), so aggregate
/// signatures made for another handler or another chain fail the manager's check here.
contract WavsBlsServiceHandler is IWavsBlsServiceHandler, WavsEnvelopeStore {
    constructor(address serviceManager_) WavsEnvelopeStore(serviceManager_) {}

    /// @inheritdoc IWavsBlsServiceHandler
    function handleSignedEnvelopes(
        Envelope[] calldata envelopes,
        G1Point[] calldata sigmas,
        G2Point calldata apkG2,
        uint32[] calldata nonSignerIndices
    ) external override {
        uint256 n = envelopes.length;
        if (n != sigmas.length) revert BatchLengthMismatch();
        bytes32[] memory digests = new bytes32[](n);
        G1Point[] memory checked = new G1Point[](n);
        uint256 fresh = 0;
        // Stores first and checks after: the check is a view call to the manager, and a
        // failed check reverts the stores with it. Marking each id handled as it is stored is
        // what skips a duplicate later in the same batch.
        for (uint256 i = 0; i < n; i++) {
            if (_skipIfHandled(envelopes[i])) continue;
            digests[fresh] = envelopeDigest(envelopes[i]);
            checked[fresh] = sigmas[i];
            fresh += 1;
            _store(envelopes[i]);
        }
        if (fresh == 0) return;
        // Trim the arrays to the envelopes stored.
        assembly ("memory-safe") {
            mstore(digests, fresh)
            mstore(checked, fresh)
        }
        IWavsBlsServiceManager(serviceManager()).checkSignatures(digests, checked, apkG2, nonSignerIndices);
    }
}
