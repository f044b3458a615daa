//! The result cache of `asyncell check` (as Ruff's `.ruff_cache`): a plain check of a file
//! whose bytes, effective settings and binary are unchanged reads its findings back instead
//! of parsing and analysing the file again.
//!
//! Only plain checks (no `--fix`, no `--diff`) of files read from disk use it: a fix run
//! writes files and prints diffs, which an entry does not hold, so it bypasses the cache;
//! the next plain run still never reads a stale entry, because the key is the file's
//! content. Failed and unconfigured files are never stored.
//!
//! `key.rs` says what an entry is keyed by, `location.rs` where the cache lives,
//! `entry.rs` how findings are stored, `store.rs` how entry files are read and written.

mod entry;
mod key;
mod location;
mod store;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::analysis::Settings;

use super::finding::Finding;
use super::fixes::{FileFixes, FixMode, FixOptions};

/// The cache of one run: the directory of this binary's entries, and what the run did
/// with it (for the debug line tests read).
pub struct ResultCache {
    entries: PathBuf,
    hits: AtomicUsize,
    misses: AtomicUsize,
    written: AtomicUsize,
}

/// One file's place in the cache: its entry file and the key its entry must carry.
pub struct Lookup<'c> {
    cache: &'c ResultCache,
    entry_file: PathBuf,
    key: key::EntryKey,
}

impl ResultCache {
    /// The cache for a run, or `None` when it is disabled (`--no-cache`,
    /// `ASYNCELL_NO_CACHE`), when the run cannot use it (a fix, a diff), or when its
    /// directory cannot be made (the check then runs uncached, with a warning).
    pub fn open(
        cache_dir: Option<PathBuf>,
        no_cache: bool,
        options: FixOptions,
    ) -> Option<ResultCache> {
        if no_cache || location::disabled_by_env() || options.mode != FixMode::Report {
            return None;
        }
        let root = location::root(cache_dir);
        match location::prepare(&root, &key::binary_key()) {
            Ok(entries) => Some(ResultCache {
                entries,
                hits: AtomicUsize::new(0),
                misses: AtomicUsize::new(0),
                written: AtomicUsize::new(0),
            }),
            Err(error) => {
                tracing::warn!(
                    "cache: cannot use {}: {error}; checking without it",
                    root.display()
                );
                None
            }
        }
    }

    /// Where `path` (with these bytes, checked under `settings`) is cached.
    pub fn lookup(
        &self,
        path: &Path,
        bytes: &[u8],
        settings: &Settings,
        options: FixOptions,
    ) -> Lookup<'_> {
        Lookup {
            cache: self,
            entry_file: self.entries.join(key::entry_name(path)),
            key: key::EntryKey::new(path, bytes, settings, options),
        }
    }

    /// The line tests assert on (`ASYNCELL_LOG=asyncell=debug`).
    pub fn log_counts(&self) {
        tracing::debug!(
            "cache: {} hits, {} misses, {} written",
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
            self.written.load(Ordering::Relaxed)
        );
    }
}

impl Lookup<'_> {
    /// The file's findings and fix counts as a previous run stored them, named `path`;
    /// `None` (a miss) when there is no entry, it is another content's or settings', or it
    /// cannot be read back whole.
    pub fn load(&self, path: &Path) -> Option<(Vec<Finding>, FileFixes)> {
        let found =
            store::read(&self.entry_file).and_then(|bytes| entry::decode(&bytes, &self.key, path));
        let counter = match found {
            Some(_) => &self.cache.hits,
            None => &self.cache.misses,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores what checking the file found; a failure to write only costs the next run a
    /// miss.
    pub fn store(&self, findings: &[Finding], fixes: &FileFixes) {
        let Some(bytes) = entry::encode(&self.key, findings, fixes) else {
            return;
        };
        match store::write_atomically(&self.entry_file, &bytes) {
            Ok(()) => {
                self.cache.written.fetch_add(1, Ordering::Relaxed);
            }
            Err(error) => {
                tracing::debug!("cache: cannot write {}: {error}", self.entry_file.display())
            }
        }
    }
}
