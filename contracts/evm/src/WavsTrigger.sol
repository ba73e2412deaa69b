// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice Emits trigger events that WAVS services listen to.
contract WavsTrigger {
    /// A trigger carrying `payload` for the service.
    event TriggerFired(uint64 indexed triggerId, address indexed creator, bytes payload);

    /// The id the next trigger gets; ids start at 1.
    uint64 public nextTriggerId = 1;

    /// @notice Emits TriggerFired with `payload`; returns the trigger's id.
    function fire(bytes calldata payload) external returns (uint64 triggerId) {
        triggerId = nextTriggerId;
        nextTriggerId = triggerId + 1;
        emit TriggerFired(triggerId, msg.sender, payload);
    }
}
