//! The order of transactions for one target's envelopes: chunks of at most the size
//! cap, and a chunk refused for good split in halves, recursively, until the parts land
//! or a single envelope is left to fail. One bad envelope among n then costs O(log n)
//! transactions instead of n. An explicit stack, not async recursion: the depth stays
//! at log2(n) + 1 parts and every part is strictly smaller than the one it came from.
//!
//! Pure: the batcher sends the part `next` names and reports how it went.

use std::ops::Range;

/// What a landed part teaches about the target's size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lesson {
    /// A whole chunk of this size landed.
    Fits(usize),
    /// A part of this size was refused for good, then both its halves landed.
    TooBig(usize),
}

#[derive(Debug)]
struct Part {
    range: Range<usize>,
    /// Index in `Split::refused` of the part this is a half of.
    parent: Option<usize>,
}

/// Sends `0..len` (indices into the batcher's envelopes) part by part.
#[derive(Debug)]
pub(super) struct Split {
    len: usize,
    /// `cut..len` is not cut into a chunk yet: cut lazily, so a cap learned while
    /// sending applies to the rest of the round.
    cut: usize,
    /// Parts to send; the top is the one being sent.
    stack: Vec<Part>,
    /// Refused parts that were split: their size and how many halves landed whole.
    refused: Vec<(usize, u8)>,
}

impl Split {
    pub(super) fn new(len: usize) -> Self {
        Split { len, cut: 0, stack: Vec::new(), refused: Vec::new() }
    }

    /// The part to send now: a half of a refused part, else the next chunk of at most
    /// `limit` envelopes. `None` once everything was settled.
    #[cfg(test)]
    pub(super) fn next(&mut self, limit: usize) -> Option<Range<usize>> {
        self.next_by(|_| limit)
    }

    /// As [`Split::next`], with the limit of a new chunk computed from where it starts.
    pub(super) fn next_by(&mut self, limit: impl FnOnce(usize) -> usize) -> Option<Range<usize>> {
        if self.stack.is_empty() && self.cut < self.len {
            let end = self.len.min(self.cut + limit(self.cut).max(1));
            self.stack.push(Part { range: self.cut..end, parent: None });
            self.cut = end;
        }
        self.stack.last().map(|p| p.range.clone())
    }

    /// The current part landed.
    pub(super) fn landed(&mut self) -> Option<Lesson> {
        let part = self.stack.pop().expect("landed() follows next()");
        let Some(parent) = part.parent else {
            return Some(Lesson::Fits(part.range.len()));
        };
        let (size, halves) = &mut self.refused[parent];
        *halves += 1;
        (*halves == 2).then_some(Lesson::TooBig(*size))
    }

    /// The current part was refused for good: its halves are sent next, the first one
    /// first (the envelopes keep their order). `false` if it is a single envelope,
    /// which the caller settles as failed.
    pub(super) fn refused(&mut self) -> bool {
        let Part { range, .. } = self.stack.pop().expect("refused() follows next()");
        if range.len() < 2 {
            return false;
        }
        let parent = Some(self.refused.len());
        self.refused.push((range.len(), 0));
        let mid = range.start + range.len() / 2;
        self.stack.push(Part { range: mid..range.end, parent });
        self.stack.push(Part { range: range.start..mid, parent });
        true
    }

    /// Gives up on this round: the current part and everything not sent yet.
    pub(super) fn abandon(&mut self) -> Vec<Range<usize>> {
        let mut rest: Vec<_> = self.stack.drain(..).rev().map(|p| p.range).collect();
        rest.push(self.cut..self.len);
        self.cut = self.len;
        rest.retain(|r| !r.is_empty());
        rest
    }
}

#[cfg(test)]
mod tests {
    use super::{Lesson, Split};
    use std::ops::Range;

    /// The parts sent, in order, with whether they landed; the lessons; the indices
    /// that failed.
    type Outcome = (Vec<(Range<usize>, bool)>, Vec<Lesson>, Vec<usize>);

    /// Runs a split of `len` with limit `limit`, refusing (for good) every part that
    /// holds a bad index or is longer than `fits`.
    fn run(len: usize, limit: usize, fits: usize, bad: &[usize]) -> Outcome {
        let (mut split, mut sent, mut lessons, mut failed) = (Split::new(len), vec![], vec![], vec![]);
        while let Some(part) = split.next(limit) {
            let lands = part.len() <= fits && !bad.iter().any(|b| part.contains(b));
            sent.push((part.clone(), lands));
            if lands {
                lessons.extend(split.landed());
            } else if !split.refused() {
                failed.push(part.start);
            }
            assert!(sent.len() <= 2 * len, "bounded");
        }
        (sent, lessons, failed)
    }

    #[test]
    fn one_bad_envelope_costs_log_n_transactions() {
        let (sent, lessons, failed) = run(64, 64, 64, &[37]);
        // 1 refused chunk, then per level one half lands and one is refused: 1 + 2 * 6.
        assert_eq!(sent.len(), 13);
        assert_eq!(sent.iter().filter(|(_, landed)| *landed).count(), 6);
        assert_eq!(sent.iter().filter(|(_, landed)| *landed).map(|(r, _)| r.len()).sum::<usize>(), 63);
        assert_eq!(&sent[..3], &[(0..64, false), (0..32, true), (32..64, false)]);
        assert_eq!(failed, [37]);
        assert!(lessons.is_empty(), "a bad envelope is not a size problem: {lessons:?}");
    }

    #[test]
    fn a_batch_too_big_for_a_block_lands_in_halves_and_teaches_the_cap() {
        let (sent, lessons, failed) = run(400, 400, 350, &[]);
        assert_eq!(sent, [(0..400, false), (0..200, true), (200..400, true)]);
        assert_eq!(lessons, [Lesson::TooBig(400)]);
        assert!(failed.is_empty());
        // Twice too big: each half is split again; only the parts whose halves landed teach.
        let (sent, lessons, _) = run(1000, 1000, 350, &[]);
        assert_eq!(sent.len(), 7);
        assert_eq!(lessons, [Lesson::TooBig(500), Lesson::TooBig(500)]);
    }

    #[test]
    fn chunks_follow_the_limit_and_report_their_size() {
        let (sent, lessons, _) = run(250, 100, 100, &[]);
        assert_eq!(sent, [(0..100, true), (100..200, true), (200..250, true)]);
        assert_eq!(lessons, [Lesson::Fits(100), Lesson::Fits(100), Lesson::Fits(50)]);
        // A bad envelope in the second chunk leaves the others whole.
        let (sent, _, failed) = run(5, 2, 2, &[3]);
        assert_eq!(sent, [(0..2, true), (2..4, false), (2..3, true), (3..4, false), (4..5, true)]);
        assert_eq!(failed, [3]);
    }

    #[test]
    fn abandon_returns_the_current_part_and_all_unsent() {
        let mut split = Split::new(10);
        assert_eq!(split.next(6), Some(0..6));
        assert!(split.refused());
        assert_eq!(split.next(6), Some(0..3));
        assert_eq!(split.abandon(), [0..3, 3..6, 6..10]);
        assert_eq!(split.next(6), None);
        let mut split = Split::new(3);
        assert_eq!(split.next(3), Some(0..3));
        let rest = split.abandon();
        assert_eq!((rest.len(), &rest[0]), (1, &(0..3)));
        assert_eq!(Split::new(0).next(5), None);
    }
}
