//! Reading a chain config's `options` (key/value strings) with errors an operator can act on.

/// The value of `key`, if set.
pub fn text<'a>(options: impl IntoIterator<Item = (&'a str, &'a str)>, key: &str) -> Option<&'a str> {
    options.into_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// A whole-number option, `default` when absent.
pub fn whole<'a>(options: impl IntoIterator<Item = (&'a str, &'a str)>, key: &str, default: u64) -> Result<u64, String> {
    match text(options, key) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| format!("option {key}: {v:?} is not a whole number")),
    }
}

/// A decimal option such as a gas price (`0.025`), `default` when absent.
pub fn decimal<'a>(options: impl IntoIterator<Item = (&'a str, &'a str)>, key: &str, default: f64) -> Result<f64, String> {
    match text(options, key) {
        None => Ok(default),
        Some(v) => match v.parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
            _ => Err(format!("option {key}: {v:?} is not a non-negative decimal number")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_or_name_the_bad_key() {
        let opts = [("gas-price", "0.025"), ("confirm-timeout-ms", "500"), ("bad", "x1")];
        assert_eq!(text(opts, "gas-price"), Some("0.025"));
        assert_eq!(whole(opts, "confirm-timeout-ms", 1).unwrap(), 500);
        assert_eq!(whole(opts, "missing", 7).unwrap(), 7);
        assert!(whole(opts, "bad", 0).unwrap_err().contains("option bad"));
        assert_eq!(decimal(opts, "gas-price", 0.0).unwrap(), 0.025);
        assert!(decimal([("p", "-1")], "p", 0.0).is_err());
    }
}
