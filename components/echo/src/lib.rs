//! Echo: returns the trigger's payload unchanged. The smallest useful service component,
//! and the one the engine benchmarks measure.

wit_bindgen::generate!({
    path: "../../wit/service",
    world: "service",
    generate_all,
});

use wavs::types::types::TriggerData;

struct Echo;

impl Guest for Echo {
    fn run(action: TriggerAction) -> Result<Vec<Response>, String> {
        let payload = match action.data {
            TriggerData::Raw(bytes) => bytes,
            TriggerData::ChainEvent(ev) => ev.event.data,
            TriggerData::BlockInterval(block) => block.height.to_be_bytes().to_vec(),
            TriggerData::Cron(tick) => tick.time_unix_s.to_be_bytes().to_vec(),
        };
        Ok(vec![Response { payload, ordering: None }])
    }
}

export!(Echo);
