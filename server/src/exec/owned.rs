//! Files and directories that only the user controls.
//!
//! The host is extracted into, and run from, directories whose names anyone can guess
//! (`$TMPDIR/asyncell-<uid>/host-<version>-<hash>/`), and `asyncell run --write` writes
//! next to its output. A name proves nothing: another user can create it first. So a
//! directory is used only if [`check_owned_dir`] says the user owns it and nobody else
//! can write to it, new directories and files are created with `mkdir`/`O_EXCL` (which
//! never follow a planted symlink) under unpredictable names, and directories are
//! private (0700) from the start.

use std::io;
use std::path::{Path, PathBuf};

/// The user's uid (the uid files are checked against).
#[cfg(unix)]
pub fn uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// Why a directory may not be trusted, as a message that names it and the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotOwned(pub String);

impl std::fmt::Display for NotOwned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotOwned {}

impl NotOwned {
    /// Whether an I/O error is a refusal from this module (someone else's directory),
    /// rather than a plain failure such as an unwritable `$HOME`.
    pub fn is_refusal(error: &io::Error) -> bool {
        error
            .get_ref()
            .is_some_and(|inner| inner.downcast_ref::<NotOwned>().is_some())
    }
}

/// Whether `path` is a directory the user owns and no one else can write to (a symlink
/// counts only if the user owns the link too). `Ok(false)`: it does not exist.
pub fn check_owned_dir(path: &Path) -> Result<bool, NotOwned> {
    let link = match std::fs::symlink_metadata(path) {
        Ok(link) => link,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(error) => {
            return Err(NotOwned(format!(
                "cannot inspect {}: {error}",
                path.display()
            )))
        }
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = uid();
        let shown = path.display();
        if link.file_type().is_symlink() && link.uid() != me {
            return Err(NotOwned(format!(
                "{shown} is a symlink owned by uid {}, not by you (uid {me}): remove it",
                link.uid()
            )));
        }
        let target = std::fs::metadata(path)
            .map_err(|error| NotOwned(format!("cannot inspect {shown}: {error}")))?;
        if !target.is_dir() {
            return Err(NotOwned(format!("{shown} is not a directory: remove it")));
        }
        if target.uid() != me {
            return Err(NotOwned(format!(
                "{shown} is owned by uid {}, not by you (uid {me}): remove it (as its owner or root)",
                target.uid()
            )));
        }
        if target.mode() & 0o022 != 0 {
            return Err(NotOwned(format!(
                "{shown} can be written by other users (mode {:o}): `chmod go-w {shown}` or remove it",
                target.mode() & 0o7777
            )));
        }
    }
    #[cfg(not(unix))]
    if !link.is_dir() {
        return Err(NotOwned(format!(
            "{} is not a directory: remove it",
            path.display()
        )));
    }
    Ok(true)
}

/// Whether `path` is a regular file (not a symlink) that the user owns and no one else
/// can write to.
pub fn check_owned_file(path: &Path) -> Result<(), NotOwned> {
    let shown = path.display();
    let meta = std::fs::symlink_metadata(path)
        .map_err(|error| NotOwned(format!("cannot inspect {shown}: {error}")))?;
    if !meta.file_type().is_file() {
        return Err(NotOwned(format!("{shown} is not a regular file")));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != uid() {
            return Err(NotOwned(format!(
                "{shown} is owned by uid {}, not by you",
                meta.uid()
            )));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(NotOwned(format!("{shown} can be written by other users")));
        }
    }
    Ok(())
}

/// Creates the directory `path` (its parents as needed) private to the user (0700),
/// or checks the existing one with [`check_owned_dir`] (after removing group/other write
/// permission if it is the user's: see [`tighten_own_dir`]).
pub fn ensure_owned_dir(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    match private_dir_builder().create(path) {
        Ok(()) => {}
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(error),
    }
    tighten_own_dir(path);
    match check_owned_dir(path) {
        Ok(true) => Ok(()),
        Ok(false) => Err(io::Error::other(format!(
            "{} disappeared while being created",
            path.display()
        ))),
        Err(refusal) => Err(io::Error::new(io::ErrorKind::PermissionDenied, refusal)),
    }
}

/// Removes group and other write permission from a directory the user owns (not
/// through a symlink). An older asyncell created its cache directories under a umask
/// of 002 (common with per-user groups) as 0775; once only the user can write, what is
/// inside is checked as usual, so the cache stays usable instead of being refused.
fn tighten_own_dir(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        if meta.is_dir() && meta.uid() == uid() && meta.mode() & 0o022 != 0 {
            let mode = meta.mode() & 0o7755;
            if std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).is_ok() {
                tracing::info!(
                    "removed group/other write permission from {}",
                    path.display()
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Creates a new private (0700) directory `<parent>/<prefix><random>`; the name is
/// unpredictable and `mkdir` fails rather than reuse anything already there.
pub fn create_private_dir(parent: &Path, prefix: &str) -> io::Result<PathBuf> {
    retry_unique(|| {
        let path = parent.join(format!("{prefix}{}", unpredictable()));
        private_dir_builder().create(&path).map(|()| path)
    })
}

/// Creates and opens a new file `<dir>/<prefix><random>` with `O_EXCL`: it never opens
/// an existing file or follows a symlink planted at that name.
pub fn create_new_file(dir: &Path, prefix: &str) -> io::Result<(PathBuf, std::fs::File)> {
    retry_unique(|| {
        let path = dir.join(format!("{prefix}{}", unpredictable()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        options.open(&path).map(|file| (path, file))
    })
}

/// Creates a new file with `O_EXCL` and mode 0600 (inside a private staging directory).
pub fn create_private_file(path: &Path) -> io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// A builder for directories only the user can enter (0700).
pub fn private_dir_builder() -> std::fs::DirBuilder {
    #[allow(unused_mut)]
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
}

fn retry_unique<T>(mut attempt: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let mut last = None;
    for _ in 0..16 {
        match attempt() {
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => last = Some(error),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no unique name found")))
}

/// 64 bits no other user can predict: SipHash under the process's random keys (std's
/// `RandomState`, seeded from the OS) of the time and pid.
pub fn unpredictable() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    format!("{:016x}", hasher.finish())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn new_directories_are_private_and_writable_ones_refused() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a").join("b");
        ensure_owned_dir(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let refusal = check_owned_dir(&dir).unwrap_err();
        assert!(refusal.0.contains("chmod go-w"), "{refusal}");
        ensure_owned_dir(&dir).unwrap();
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o755,
            "the user's own directory is tightened, not refused"
        );
        assert_eq!(check_owned_dir(&root.path().join("missing")), Ok(false));
    }

    #[test]
    fn new_files_never_follow_a_planted_symlink() {
        let root = tempfile::tempdir().unwrap();
        let (path, _file) = create_new_file(root.path(), ".x.").unwrap();
        assert!(path.starts_with(root.path()));
        std::os::unix::fs::symlink("/nonexistent-target", root.path().join("planted")).unwrap();
        let error = create_private_file(&root.path().join("planted")).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        assert_ne!(unpredictable(), unpredictable());
    }
}
