//! Square: reads an unsigned 256-bit integer (32 bytes, big-endian — ABI `uint256`) and
//! returns its square in the same form. Fails on overflow rather than wrapping.
//!
//! Input comes from a raw task payload, from the `bytes payload` of an EVM
//! `TriggerFired(uint64,address,bytes)` log, or from a Cosmos-style event attribute
//! `payload` holding the 32 bytes as hex.

wit_bindgen::generate!({
    path: "../../wit/service",
    world: "service",
    generate_all,
});

mod math;

use wavs::types::types::TriggerData;

struct Square;

impl Guest for Square {
    fn run(action: TriggerAction) -> Result<Vec<Response>, String> {
        let input = match action.data {
            TriggerData::Raw(bytes) => bytes,
            TriggerData::ChainEvent(trigger) => {
                let event = trigger.event;
                match event.attributes.iter().find(|a| a.key == "payload") {
                    Some(attr) => hex::decode(attr.value.trim_start_matches("0x"))
                        .map_err(|e| format!("payload attribute is not hex: {e}"))?,
                    None => math::decode_abi_bytes(&event.data)?,
                }
            }
            TriggerData::BlockInterval(_) => return Err("square needs a number; block triggers carry none".into()),
        };
        let squared = math::square_u256(&input)?;
        Ok(vec![Response { payload: squared.to_vec(), ordering: None }])
    }
}

export!(Square);
