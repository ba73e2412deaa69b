//! Block-interval triggers: which heights of a range an `every`/`start` filter selects.

/// Heights in `from..=to` that are `start + k * every` for some k >= 0. `every` must be
/// at least 1 (an error names it otherwise).
pub fn selected_heights(every: u64, start: u64, from: u64, to: u64) -> Result<Vec<u64>, String> {
    if every == 0 {
        return Err("block-interval every must be at least 1".into());
    }
    let first = if from <= start { start } else { from + (every - (from - start) % every) % every };
    let mut out = Vec::new();
    let mut height = first;
    while height <= to {
        out.push(height);
        height = match height.checked_add(every) {
            Some(h) => h,
            None => break,
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_every_nth_height_from_start_and_splits_cleanly() {
        assert_eq!(selected_heights(3, 5, 1, 12).unwrap(), vec![5, 8, 11]);
        assert_eq!(selected_heights(3, 5, 6, 12).unwrap(), vec![8, 11]);
        assert_eq!(selected_heights(1, 0, 4, 6).unwrap(), vec![4, 5, 6]);
        assert!(selected_heights(2, 10, 1, 9).unwrap().is_empty());
        // Any split of a range gives the same heights as the whole.
        let whole = selected_heights(4, 2, 0, 40).unwrap();
        for cut in 0..40 {
            let mut parts = selected_heights(4, 2, 0, cut).unwrap();
            parts.extend(selected_heights(4, 2, cut + 1, 40).unwrap());
            assert_eq!(parts, whole, "split at {cut}");
        }
        assert!(selected_heights(0, 0, 0, 1).unwrap_err().contains("at least 1"));
        assert_eq!(selected_heights(u64::MAX, 0, u64::MAX - 1, u64::MAX).unwrap(), vec![u64::MAX]);
    }
}
