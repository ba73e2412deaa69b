// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Envelope, SignatureData} from "./WavsTypes.sol";
import {IWavsEnvelopeStore} from "./IWavsEnvelopeStore.sol";

/// @notice Accepts signed envelopes, each event id once, and stores their payloads.
/// @dev Operators sign `envelopeDigest(envelope)` (see IWavsEip712), which names this
/// handler and the chain it runs on. The handler computes that digest itself, from its own
/// address and `block.chainid`, and asks its service manager whether the signatures over
/// it reach the quorum; nothing in the transaction chooses the digest.
interface IWavsServiceHandler is IWavsEnvelopeStore {
    /// @notice Handles a batch in one transaction. Already-handled event ids are skipped;
    /// an invalid envelope reverts the whole batch with the manager's error.
    function handleSignedEnvelopes(Envelope[] calldata envelopes, SignatureData[] calldata signatureData) external;

    /// @notice Handles one envelope.
    function handleSignedEnvelope(Envelope calldata envelope, SignatureData calldata signatureData) external;
}
