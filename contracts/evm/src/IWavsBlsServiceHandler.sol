// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Envelope} from "./WavsTypes.sol";
import {G1Point, G2Point} from "./Bn254.sol";
import {IWavsEnvelopeStore} from "./IWavsEnvelopeStore.sol";

/// @notice Accepts batches of envelopes signed by a BLS operator set, each event id once,
/// and stores their payloads.
/// @dev Operators sign `envelopeDigest(envelope)` (see IWavsEip712), as for the ECDSA
/// handler; the handler computes the digests and asks its IWavsBlsServiceManager to check
/// the batch's aggregate signatures with one pairing check.
interface IWavsBlsServiceHandler is IWavsEnvelopeStore {
    /// @notice Handles a batch in one transaction. sigmas[i] is the signers' aggregate
    /// signature over envelopeDigest(envelopes[i]); the signers are all the manager's
    /// operators but `nonSignerIndices` (strictly increasing indices into the manager's
    /// getOperators()), and apkG2 is the sum of their G2 keys.
    /// @dev Envelopes whose event id is already handled (before this batch or earlier in it)
    /// are skipped and left out of the signature check, as the ECDSA handler skips them
    /// without validating; the check covers exactly the envelopes this call stores, so a
    /// replayed or raced envelope never sinks the fresh ones beside it. If every envelope is
    /// skipped the manager is not called. Any failed check reverts the whole batch with the
    /// manager's error.
    function handleSignedEnvelopes(
        Envelope[] calldata envelopes,
        G1Point[] calldata sigmas,
        G2Point calldata apkG2,
        uint32[] calldata nonSignerIndices
    ) external;
}
