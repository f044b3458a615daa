//! The session's input history, for `history_request`: the cells run with
//! `store_history`, by execution count, with the `text/plain` of their results.

use crate::fnmatch::fnmatch;
use std::collections::VecDeque;

/// Cells kept (IPython keeps its whole database; a kernel session rarely gets near this).
const KEPT: usize = 10_000;

/// The one session a kernel process has (the protocol numbers sessions; this is 1).
pub const SESSION: u64 = 1;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub line: u64,
    pub input: String,
    pub output: Option<String>,
}

#[derive(Default)]
pub struct History {
    entries: VecDeque<Entry>,
}

impl History {
    pub fn push(&mut self, entry: Entry) {
        if self.entries.len() >= KEPT {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// The last `n` cells.
    pub fn tail(&self, n: usize) -> Vec<Entry> {
        let skip = self.entries.len().saturating_sub(n);
        self.entries.iter().skip(skip).cloned().collect()
    }

    /// Cells with `start <= line < stop`; a negative `start` counts from the end, a
    /// `stop` of 0 or less means "to the end" (as IPython reads them).
    pub fn range(&self, start: i64, stop: i64) -> Vec<Entry> {
        let last = self.entries.back().map_or(0, |e| e.line as i64);
        let start = if start < 0 { last + 1 + start } else { start };
        let stop = if stop <= 0 { i64::MAX } else { stop };
        self.entries
            .iter()
            .filter(|e| (e.line as i64) >= start && (e.line as i64) < stop)
            .cloned()
            .collect()
    }

    /// Cells matching the glob `pattern` (`*`, `?`, `[seq]`: [`fnmatch`]), newest last; `unique` keeps the last
    /// of identical inputs; `n` keeps the last `n` (0: all).
    pub fn search(&self, pattern: &str, unique: bool, n: usize) -> Vec<Entry> {
        let mut found: Vec<Entry> = self
            .entries
            .iter()
            .filter(|e| fnmatch(pattern, &e.input))
            .cloned()
            .collect();
        if unique {
            let mut seen = std::collections::HashSet::new();
            let mut kept: Vec<Entry> = found
                .into_iter()
                .rev()
                .filter(|e| seen.insert(e.input.clone()))
                .collect();
            kept.reverse();
            found = kept;
        }
        if n > 0 && found.len() > n {
            found.drain(..found.len() - n);
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(inputs: &[&str]) -> History {
        let mut history = History::default();
        for (i, input) in inputs.iter().enumerate() {
            history.push(Entry {
                line: i as u64 + 1,
                input: input.to_string(),
                output: None,
            });
        }
        history
    }

    #[test]
    fn tail_range_and_search() {
        let h = history(&["a = 1", "print(a)", "a = 1", "b"]);
        assert_eq!(h.tail(2).iter().map(|e| e.line).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(h.range(2, 3).len(), 1);
        assert_eq!(h.range(-2, 0).len(), 2);
        assert_eq!(h.search("a*", false, 0).len(), 2);
        assert_eq!(h.search("a*", true, 0).len(), 1);
        assert_eq!(h.search("*", false, 3).len(), 3);
    }
}
