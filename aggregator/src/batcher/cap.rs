//! How many envelopes one transaction to a target may carry. A batch refused for good
//! whose two halves then both land was most likely too big for a block (on anvil,
//! above ~350 envelopes the 30M block gas limit is exceeded), so the batcher stops
//! sending that size instead of paying the refusal every round. The cap grows back
//! slowly, so one odd refusal does not shrink batches for good.

/// The size limit of one target's transactions. Pure: the batcher feeds it outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SizeCap {
    /// `max-batch`: never exceeded, and the limit while nothing was learned.
    max: usize,
    /// The current limit, `1..=max`.
    cap: usize,
}

impl SizeCap {
    /// No cap yet: transactions take up to `max` envelopes.
    pub(super) fn new(max: usize) -> Self {
        let max = max.max(1);
        SizeCap { max, cap: max }
    }

    /// The most envelopes to put in the next transaction.
    pub(super) fn take_limit(&self) -> usize {
        self.cap
    }

    /// Whether a refusal lowered the limit below `max`.
    pub(super) fn is_capped(&self) -> bool {
        self.cap < self.max
    }

    /// A whole transaction of `size` landed. A full one at the cap raises the cap by
    /// 10% (at least 1): the refusal that set it may have been a one-off. Returns the
    /// new limit if it changed.
    pub(super) fn landed(&mut self, size: usize) -> Option<usize> {
        if !self.is_capped() || size < self.cap {
            return None;
        }
        self.cap = (self.cap + (self.cap / 10).max(1)).min(self.max);
        Some(self.cap)
    }

    /// A transaction of `size` was refused for good, then both its halves landed: the
    /// limit becomes the larger half, the largest size known to land. Returns the new
    /// limit if it changed.
    pub(super) fn refused_then_halves_landed(&mut self, size: usize) -> Option<usize> {
        let larger_half = size.div_ceil(2).max(1);
        if larger_half >= self.cap {
            return None;
        }
        self.cap = larger_half;
        Some(self.cap)
    }
}

#[cfg(test)]
mod tests {
    use super::SizeCap;

    #[test]
    fn uncapped_until_a_refusal_whose_halves_land() {
        let mut cap = SizeCap::new(500);
        assert_eq!(cap.take_limit(), 500);
        assert_eq!(cap.landed(500), None, "nothing to grow back to");
        assert!(!cap.is_capped());
        assert_eq!(cap.refused_then_halves_landed(401), Some(201));
        assert_eq!((cap.take_limit(), cap.is_capped()), (201, true));
        // A later, deeper lesson lowers it further; a shallower one changes nothing.
        assert_eq!(cap.refused_then_halves_landed(201), Some(101));
        assert_eq!(cap.refused_then_halves_landed(400), None);
        assert_eq!(cap.take_limit(), 101);
    }

    #[test]
    fn grows_back_ten_percent_per_full_transaction_up_to_max() {
        let mut cap = SizeCap::new(300);
        cap.refused_then_halves_landed(400);
        assert_eq!(cap.take_limit(), 200);
        assert_eq!(cap.landed(150), None, "a short transaction says nothing about the cap");
        let grown: Vec<_> = std::iter::from_fn(|| cap.landed(cap.take_limit())).collect();
        assert_eq!(grown, [220, 242, 266, 292, 300]);
        assert!(!cap.is_capped());
    }

    #[test]
    fn small_caps_grow_by_at_least_one() {
        let mut cap = SizeCap::new(100);
        assert_eq!(cap.refused_then_halves_landed(2), Some(1));
        assert_eq!(cap.landed(1), Some(2));
        assert_eq!(cap.landed(2), Some(3));
        assert_eq!(cap.refused_then_halves_landed(3), Some(2), "the larger half");
        assert_eq!(SizeCap::new(0).take_limit(), 1);
    }
}
