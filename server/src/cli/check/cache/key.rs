//! What a cache entry is keyed by. The binary picks the directory (a rebuilt binary never
//! reads an older one's entries); within it, an entry file per source file (by absolute
//! path, so `src/a.py` and `./src/a.py` share one), holding the key of the content and
//! settings it was made from.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::UNIX_EPOCH;

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::analysis::Settings;
use crate::cli::check::fixes::FixOptions;

/// Everything besides the binary that decides a file's findings: its bytes as read, its
/// kind (the extension decides how the bytes are decoded and whether findings carry cell
/// numbers), its settings after per-file-ignores (which include `rule-url-base`), and the
/// least trusted fix counted as fixable (`--unsafe-fixes` changes the `[*]` markers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryKey(pub u128);

impl EntryKey {
    pub fn new(path: &Path, bytes: &[u8], settings: &Settings, options: FixOptions) -> EntryKey {
        let mut hasher = StreamingHasher(Xxh3::new());
        hasher.write(bytes);
        // The length separates the bytes from what follows.
        hasher.write_usize(bytes.len());
        path.extension()
            .map(|e| e.as_encoded_bytes())
            .hash(&mut hasher);
        settings.hash(&mut hasher);
        options.at_least.hash(&mut hasher);
        EntryKey(hasher.0.digest128())
    }

    pub fn to_hex(self) -> String {
        format!("{:032x}", self.0)
    }
}

/// The entry file's name for `path`: a hash of its absolute form with `.` components
/// dropped, so `src/a.py` and `./src/a.py` share one entry. Symlinks are not resolved
/// (that costs a `readlink` per component of every file, a fifth of a warm run): two
/// names of one file only get two entries, each checked against the content.
pub fn entry_name(path: &Path) -> String {
    static WORKING_DIRECTORY: OnceLock<PathBuf> = OnceLock::new();
    let absolute: PathBuf = if path.is_absolute() {
        path.components().collect()
    } else {
        let cwd = WORKING_DIRECTORY.get_or_init(|| std::env::current_dir().unwrap_or_default());
        cwd.join(path).components().collect()
    };
    format!("{:016x}", xxh3_64(absolute.as_os_str().as_encoded_bytes()))
}

/// The directory name of this binary's entries: the version, and the executable's size
/// and modification time, so that a rebuilt development binary (same version) starts
/// afresh. Settings and findings are hashed and serialised by this binary's code, so
/// nothing another binary wrote is trusted.
pub fn binary_key() -> String {
    let version = env!("CARGO_PKG_VERSION");
    let stamp = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|metadata| {
            let nanos = metadata
                .modified()
                .ok()
                .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |since| since.as_nanos());
            (metadata.len(), nanos)
        })
        // Without its own size and time the binary cannot tell itself from another build:
        // a key no other run shares keeps it from reading anything.
        .unwrap_or((u64::MAX, std::process::id() as u128));
    let mut hasher = Xxh3::new();
    hasher.update(version.as_bytes());
    hasher.update(&stamp.0.to_le_bytes());
    hasher.update(&stamp.1.to_le_bytes());
    format!("{version}-{:016x}", hasher.digest())
}

/// Whether a directory name is one [`binary_key`] makes (the only ones pruning removes).
pub fn is_binary_key(name: &str) -> bool {
    name.rsplit_once('-').is_some_and(|(version, hash)| {
        !version.is_empty() && hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// `std::hash::Hash` into XXH3, so `Settings` (which derives `Hash`) can be hashed as a
/// whole and a field added to it later is part of the key without anyone remembering.
struct StreamingHasher(Xxh3);

impl Hasher for StreamingHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.digest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Applicability;
    use crate::cli::check::fixes::FixMode;

    fn options(at_least: Applicability) -> FixOptions {
        FixOptions {
            mode: FixMode::Report,
            at_least,
        }
    }

    #[test]
    fn content_settings_kind_and_fix_options_each_change_the_key() {
        let safe = options(Applicability::Safe);
        let settings = Settings::default();
        let base = EntryKey::new(Path::new("a.py"), b"x = 1\n", &settings, safe);
        assert_eq!(
            base,
            EntryKey::new(Path::new("b/a.py"), b"x = 1\n", &settings, safe)
        );
        assert_ne!(
            base,
            EntryKey::new(Path::new("a.py"), b"x = 2\n", &settings, safe)
        );
        assert_ne!(
            base,
            EntryKey::new(Path::new("a.ipynb"), b"x = 1\n", &settings, safe)
        );
        let ignoring = Settings {
            ignore: vec!["LOOP300".into()],
            ..Settings::default()
        };
        assert_ne!(
            base,
            EntryKey::new(Path::new("a.py"), b"x = 1\n", &ignoring, safe)
        );
        let unsafe_fixes = options(Applicability::Unsafe);
        assert_ne!(
            base,
            EntryKey::new(Path::new("a.py"), b"x = 1\n", &settings, unsafe_fixes)
        );
    }

    #[test]
    fn only_binary_key_names_are_prunable() {
        assert!(is_binary_key(&binary_key()));
        assert!(!is_binary_key(".gitignore"));
        assert!(!is_binary_key("CACHEDIR.TAG"));
        assert!(!is_binary_key("my-notes"));
    }

    #[test]
    fn a_file_named_with_or_without_dot_shares_its_entry() {
        assert_eq!(
            entry_name(Path::new("src/a.py")),
            entry_name(Path::new("./src/a.py"))
        );
        assert_eq!(
            entry_name(Path::new("src/a.py")),
            entry_name(&std::env::current_dir().unwrap().join("src/./a.py"))
        );
        assert_ne!(
            entry_name(Path::new("src/a.py")),
            entry_name(Path::new("src/b.py"))
        );
    }
}
