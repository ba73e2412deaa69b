// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice What handlers receive; operators sign its EIP-712 digest for one handler on one
/// chain (IWavsEip712.envelopeDigest).
/// @param eventId identifies the (service, workflow, trigger) this result answers.
/// @param ordering optional ordering hint (big-endian), zero when unused.
/// @param payload the service component's output.
struct Envelope {
    bytes20 eventId;
    bytes12 ordering;
    bytes payload;
}

/// @notice Operator signatures over an envelope's digest for the handler that receives it.
/// @param signers operator addresses, strictly ascending.
/// @param signatures 65-byte r || s || v signatures, aligned with `signers`.
/// @param referenceBlock the block the operator set was read at (informational).
struct SignatureData {
    address[] signers;
    bytes[] signatures;
    uint64 referenceBlock;
}
