//! Where the cache lives: `--cache-dir`, else `$ASYNCELL_CACHE_DIR`, else
//! `.asyncell_cache/` in the project root of the current directory (as Ruff places
//! `.ruff_cache`), else in the current directory. One subdirectory per binary; making a
//! new one removes the others, which bounds the cache to one binary's entries (one per
//! source file checked with it).

use std::io;
use std::path::{Path, PathBuf};

use super::key::is_binary_key;
use super::store::write_atomically;
use crate::config::{self, SearchLimit};

pub const CACHE_DIR_ENV: &str = "ASYNCELL_CACHE_DIR";
pub const NO_CACHE_ENV: &str = "ASYNCELL_NO_CACHE";

/// Marks the directory as a cache for backup tools (https://bford.info/cachedir/).
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by asyncell.\n";

/// `ASYNCELL_NO_CACHE` set to anything but empty, `0` or `false`.
pub fn disabled_by_env() -> bool {
    std::env::var_os(NO_CACHE_ENV).is_some_and(|value| {
        !(value.is_empty() || value == "0" || value.eq_ignore_ascii_case("false"))
    })
}

/// The cache directory this run uses.
pub fn root(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| {
        std::env::var_os(CACHE_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
    .unwrap_or_else(|| {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        config::project_root(&cwd, SearchLimit::Repository)
            .unwrap_or(cwd)
            .join(".asyncell_cache")
    })
}

/// Makes the cache directory (with a `.gitignore` of `*`, so it is never committed, and a
/// CACHEDIR.TAG) and this binary's subdirectory in it, and returns the subdirectory.
pub fn prepare(root: &Path, binary_key: &str) -> io::Result<PathBuf> {
    std::fs::create_dir_all(root)?;
    for (name, text) in [(".gitignore", "*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)] {
        let file = root.join(name);
        if !file.exists() {
            write_atomically(&file, text.as_bytes())?;
        }
    }
    let entries = root.join(binary_key);
    match std::fs::create_dir(&entries) {
        Ok(()) => remove_other_binaries(root, binary_key),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(error),
    }
    Ok(entries)
}

/// Removes the entries of other binaries (an older build, another version). A run of
/// that other binary going on at the same time only loses its writes, which it ignores.
fn remove_other_binaries(root: &Path, keep: &str) {
    let Ok(listing) = std::fs::read_dir(root) else {
        return;
    };
    for dir in listing.flatten() {
        let name = dir.file_name();
        let Some(name) = name.to_str() else { continue };
        let is_dir = dir.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && name != keep && is_binary_key(name) {
            if let Err(error) = std::fs::remove_dir_all(dir.path()) {
                tracing::debug!("cache: cannot remove {}: {error}", dir.path().display());
            }
        }
    }
}
