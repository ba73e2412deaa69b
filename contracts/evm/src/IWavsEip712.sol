// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Envelope} from "./WavsTypes.sol";

/// @notice What a WAVS handler's operators sign: EIP-712 typed data bound to the handler
/// and its chain.
/// @dev Domain `{name: "WAVS", version: "2", chainId, verifyingContract: the handler}`,
/// struct `Envelope(bytes20 eventId,bytes12 ordering,bytes payload)`, `payload` hashed with
/// keccak256 as EIP-712 requires for `bytes`.
interface IWavsEip712 {
    /// @notice EIP-5267: may be emitted when the domain changes. It never is here: the
    /// domain changes only with the chain id, which no transaction can announce.
    event EIP712DomainChanged();

    /// @notice EIP-5267: the fields of the EIP-712 domain (`fields` = 0x0f: name, version,
    /// chainId and verifyingContract; no salt, no extensions).
    function eip712Domain()
        external
        view
        returns (
            bytes1 fields,
            string memory name,
            string memory version,
            uint256 chainId,
            address verifyingContract,
            bytes32 salt,
            uint256[] memory extensions
        );

    /// @notice The EIP-712 domain separator for the current chain id and this contract.
    function domainSeparator() external view returns (bytes32);

    /// @notice The 32 bytes operators sign for `envelope` to be handled by this contract on
    /// this chain.
    function envelopeDigest(Envelope calldata envelope) external view returns (bytes32);
}
