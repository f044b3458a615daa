//! Writing a fixed file back without ever leaving it half-written or clobbering a
//! change made meanwhile.
//!
//! The new bytes go to a new file (`O_EXCL`, unpredictable name) in the same directory,
//! which gets the old file's mode (and owner, where allowed) and is flushed to disk,
//! then renamed over the old one: a reader sees the old file or the new one, never a
//! mix, and a crash leaves at worst a stray temporary file. Just before the rename the
//! file is read again; if it no longer holds the bytes the fixes were computed from (an
//! editor saved it meanwhile), it is left alone.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::exec::owned;
use crate::source::read_regular_file;

/// Replaces `path`'s content, `expected` (what was read), with `new`.
pub fn replace_file(path: &Path, expected: &[u8], new: &[u8]) -> Result<(), String> {
    // A symlink is written through, as an editor would: replacing the link itself with
    // a regular file would silently detach it from its target.
    let target = std::fs::canonicalize(path).map_err(|error| format!("not fixed: {error}"))?;
    let metadata = std::fs::metadata(&target).map_err(|error| format!("not fixed: {error}"))?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (temporary, mut file) = owned::create_new_file(dir, &format!(".{name}.asyncell-fix-"))
        .map_err(|error| {
            format!(
                "not fixed: cannot create a temporary file in {}: {error}",
                dir.display()
            )
        })?;
    let cleanup = RemoveOnDrop(Some(temporary.clone()));
    let written = (|| {
        file.write_all(new)?;
        file.set_permissions(metadata.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Only root can give a file away; for anyone else the owner is already right.
            let _ = std::os::unix::fs::fchown(&file, Some(metadata.uid()), Some(metadata.gid()));
        }
        file.sync_all()
    })();
    written.map_err(|error| format!("not fixed: cannot write {}: {error}", temporary.display()))?;
    drop(file);
    let current = read_regular_file(&target).map_err(|error| format!("not fixed: {error}"))?;
    if current != expected {
        return Err(
            "not fixed: the file changed on disk while it was being checked; \
                    run `asyncell check --fix` again"
                .into(),
        );
    }
    std::fs::rename(&temporary, &target)
        .map_err(|error| format!("not fixed: cannot replace the file: {error}"))?;
    cleanup.disarm();
    Ok(())
}

/// Removes the temporary file on every early return.
struct RemoveOnDrop(Option<PathBuf>);

impl RemoveOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_replaced_with_its_mode_kept_and_no_temporary_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        std::fs::write(&path, "old\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751)).unwrap();
        }
        replace_file(&path, b"old\n", b"new\n").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o751);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_changed_since_it_was_read_is_not_clobbered() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        std::fs::write(&path, "saved by the editor meanwhile\n").unwrap();
        let error = replace_file(&path, b"old\n", b"new\n").unwrap_err();
        assert!(error.contains("changed on disk"), "{error}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"saved by the editor meanwhile\n"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_symlink_is_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.py");
        let link = dir.path().join("link.py");
        std::fs::write(&target, "old\n").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&target, &link).unwrap();
            replace_file(&link, b"old\n", b"new\n").unwrap();
            assert!(std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink());
            assert_eq!(std::fs::read(&target).unwrap(), b"new\n");
        }
    }
}
