//! Diagnostics that are due, latest wins.
//!
//! Handlers don't check or publish: they record here that a document's diagnostics are
//! due, and the transport computes them when it has nothing else to do (`publisher.rs`).
//! Each URI has at most one entry, which a later change replaces, so however fast the
//! edits come, what waits is one entry per open (or just closed) document, and only the
//! version current when the transport gets to it is checked.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use tower_lsp_server::lsp_types::Uri;

/// What is due for a URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Check the file or notebook and publish for it (a notebook: for each code cell).
    Check,
    /// Publish an empty list for the text document (closed, or a cell removed).
    Clear,
}

#[derive(Default)]
pub struct PendingDiagnostics {
    /// URIs in the order they first became due (fair between documents).
    order: VecDeque<Uri>,
    due: FxHashMap<String, Due>,
}

impl PendingDiagnostics {
    /// Records that `due` is what `uri` needs now, replacing whatever it needed before.
    pub fn set(&mut self, uri: &Uri, due: Due) {
        if self.due.insert(uri.as_str().to_string(), due).is_none() {
            self.order.push_back(uri.clone());
        }
    }

    /// The URI due longest, and what it needs.
    pub fn pop(&mut self) -> Option<(Uri, Due)> {
        let uri = self.order.pop_front()?;
        let due = self.due.remove(uri.as_str())?;
        Some((uri, due))
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(name: &str) -> Uri {
        format!("file:///{name}").parse().unwrap()
    }

    #[test]
    fn the_latest_need_wins_and_each_uri_waits_once() {
        let mut pending = PendingDiagnostics::default();
        for _ in 0..1000 {
            pending.set(&uri("a.py"), Due::Check);
        }
        pending.set(&uri("b.py"), Due::Check);
        pending.set(&uri("a.py"), Due::Clear);
        assert_eq!(pending.len(), 2);
        assert_eq!(pending.pop(), Some((uri("a.py"), Due::Clear)));
        assert_eq!(pending.pop(), Some((uri("b.py"), Due::Check)));
        assert_eq!(pending.pop(), None);
        assert!(pending.is_empty());
    }
}
