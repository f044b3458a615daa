//! Entry files on disk: read whole or not at all, written through a temporary file in the
//! same directory renamed over the entry, so a concurrent run sees the old entry or the
//! new one, never a torn one.

use std::io::{self, Read, Write};
use std::path::Path;

use crate::exec::owned;

/// An entry larger than this is not read (a findings list is kilobytes; this bounds what a
/// corrupt or planted file can make a run allocate).
const MAX_ENTRY_BYTES: u64 = 64 << 20;

/// The entry's bytes, or `None` when there is none or it cannot be read.
pub fn read(path: &Path) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    // Sized from the file, so a whole entry is one read (and one more to see the end).
    let size = file.metadata().map_or(0, |m| m.len()).min(MAX_ENTRY_BYTES);
    let mut bytes = Vec::with_capacity(size as usize + 1);
    file.take(MAX_ENTRY_BYTES + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= MAX_ENTRY_BYTES).then_some(bytes)
}

/// Writes `bytes` to `path` atomically: through a new file under an unpredictable name in
/// the same directory (the one `--write` and `--fix` use too), renamed over `path`. A
/// leftover from a killed run sits in the binary's directory, which goes with it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let (temporary, mut file) = owned::create_new_file(dir, &format!(".{name}.tmp-"))?;
    let written = file
        .write_all(bytes)
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_replaces_the_entry_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let entry = dir.path().join("e");
        write_atomically(&entry, b"one").unwrap();
        write_atomically(&entry, b"two").unwrap();
        assert_eq!(read(&entry).as_deref(), Some(&b"two"[..]));
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1);
        assert_eq!(read(&dir.path().join("missing")), None);
    }
}
