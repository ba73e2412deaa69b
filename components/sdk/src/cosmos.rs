//! Cosmos events: a chain-event trigger from the Cosmos adapter carries the event's
//! attributes as `(key, value)` pairs in `event.attributes`. Pass them as
//! `event.attributes.iter().map(|a| (a.key.as_str(), a.value.as_str()))`.

/// The value of the first attribute named `key`.
pub fn attribute<'a>(attributes: impl IntoIterator<Item = (&'a str, &'a str)>, key: &str) -> Option<&'a str> {
    attributes.into_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// The value of attribute `key`, or an error naming the attributes there are.
pub fn required_attribute<'a>(attributes: impl IntoIterator<Item = (&'a str, &'a str)> + Clone, key: &str) -> Result<&'a str, String> {
    attribute(attributes.clone(), key).ok_or_else(|| {
        let keys: Vec<&str> = attributes.into_iter().map(|(k, _)| k).collect();
        format!("the event has no attribute {key:?} (it has {keys:?})")
    })
}

/// The bytes of attribute `key` holding hex (with or without `0x`), if it is there.
pub fn hex_attribute<'a>(attributes: impl IntoIterator<Item = (&'a str, &'a str)>, key: &str) -> Option<Result<Vec<u8>, String>> {
    attribute(attributes, key).map(|v| crate::hex::decode(v).map_err(|e| format!("attribute {key:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_attributes() {
        let attrs = [("action", "fire"), ("payload", "0x0a0b"), ("payload", "ignored")];
        assert_eq!(attribute(attrs, "action"), Some("fire"));
        assert_eq!(attribute(attrs, "missing"), None);
        assert_eq!(hex_attribute(attrs, "payload"), Some(Ok(vec![10, 11])));
        assert!(hex_attribute(attrs, "action").unwrap().unwrap_err().contains("attribute \"action\""));
        let err = required_attribute(attrs.iter().copied(), "x").unwrap_err();
        assert!(err.contains("no attribute \"x\"") && err.contains("\"action\""), "{err}");
    }
}
