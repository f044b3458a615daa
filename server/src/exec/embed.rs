//! The Python host, embedded in the binary and extracted on first use.
//!
//! Files go to `$XDG_CACHE_HOME/asyncell/host-<version>-<content hash>/` (falling back to
//! `~/.cache/asyncell/`, then `$TMPDIR/asyncell-<uid>/`). Those names can be guessed, so
//! a directory found there is not trusted by its name: before each host start the root
//! and the host directory must be the user's and writable by no one else
//! ([`owned::check_owned_dir`]), and every file must hold exactly the embedded bytes.
//! A copy that fails the content check is replaced; a root another user owns is
//! skipped, and if every root is, the host goes to a fresh private directory.
//! Extraction writes a private (0700) staging directory next to the target and renames
//! it into place, so a server that loses that race to a concurrent one uses the
//! winner's (verified) copy.
//!
//! For hosts whose interpreter runs elsewhere (`ssh box python3`), the files cannot be
//! referenced by path; [`BOOTSTRAP`] ships them over the host's stdin instead, and checks
//! the remote copy the same way.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::owned;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/host_files.rs"));
}

pub use generated::{HOST_FILES, HOST_HASH};

/// The entry script, relative to the host directory.
pub const ENTRY: &str = "asyncell_host.py";

/// The directory name of this build's host.
pub fn dir_name() -> String {
    format!("host-{}-{}", env!("CARGO_PKG_VERSION"), HOST_HASH)
}

/// The verified host directory, extracting (or repairing) it as needed. Called before
/// every local host start: verification reads the host's files (tens of KiB) and is
/// cheap next to starting Python, and catches a cache that was cleaned or edited while
/// the server ran. Errors name every location that was tried and why.
pub fn host_dir() -> Result<PathBuf, String> {
    // The last directory used: checked first, so a server whose roots are all refused
    // keeps one private fallback directory rather than making one per start.
    static LAST: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(dir) = last.as_ref() {
        if verify(dir).is_ok() {
            return Ok(dir.clone());
        }
    }
    let mut problems = Vec::new();
    let mut refused = false;
    for root in cache_roots() {
        match extract_into(&root) {
            Ok(dir) => {
                if refused {
                    tracing::warn!(
                        "using the asyncell host in {} ({})",
                        dir.display(),
                        problems.join("; ")
                    );
                } else if !problems.is_empty() {
                    // An unusable $HOME (CI, containers) is ordinary: no warning.
                    tracing::info!(
                        "using the asyncell host in {} ({})",
                        dir.display(),
                        problems.join("; ")
                    );
                }
                *last = Some(dir.clone());
                return Ok(dir);
            }
            Err(error) => {
                refused |= owned::NotOwned::is_refusal(&error);
                problems.push(format!("{}: {error}", root.display()));
            }
        }
    }
    // Every root is unusable (another user's `$TMPDIR/asyncell-<uid>`): a fresh private
    // directory, with a name nobody can have planted.
    let fresh =
        owned::create_private_dir(&std::env::temp_dir(), &format!("asyncell-{}-", user_tag()))
            .and_then(|dir| {
                let installed = install(&dir);
                if installed.is_err() {
                    let _ = std::fs::remove_dir_all(&dir);
                }
                installed.map(|()| dir)
            });
    match fresh {
        Ok(dir) => {
            tracing::warn!(
                "extracted the asyncell host into the private directory {} ({}); \
                 set XDG_CACHE_HOME to a directory you own to reuse one copy",
                dir.display(),
                problems.join("; ")
            );
            *last = Some(dir.clone());
            Ok(dir)
        }
        Err(error) => {
            problems.push(format!(
                "a private directory in {}: {error}",
                std::env::temp_dir().display()
            ));
            Err(format!(
                "cannot extract the asyncell host ({}); set XDG_CACHE_HOME to a directory you own",
                problems.join("; ")
            ))
        }
    }
}

/// Where [`host_dir`] would put the host, for reports that must not write anything:
/// the first cache root whose directory exists or could be created.
pub fn cache_dir_preview() -> Option<PathBuf> {
    cache_roots()
        .into_iter()
        .find(|root| root.is_dir() || root.parent().is_some_and(Path::is_dir))
        .map(|root| root.join(dir_name()))
}

/// Candidate parent directories for the host, most preferred first.
fn cache_roots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from) {
        if xdg.is_absolute() {
            roots.push(xdg.join("asyncell"));
        }
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        if home.is_absolute() {
            roots.push(home.join(".cache").join("asyncell"));
        }
    }
    roots.push(std::env::temp_dir().join(format!("asyncell-{}", user_tag())));
    roots
}

fn user_tag() -> String {
    #[cfg(unix)]
    {
        owned::uid().to_string()
    }
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").unwrap_or_else(|_| "user".into())
    }
}

/// Why an existing host directory cannot be used as is.
#[derive(Debug)]
pub enum Unusable {
    Missing,
    /// Not the user's, or writable by others: never run, never written into.
    NotOwned(owned::NotOwned),
    /// The user's, but a file differs from the embedded one (or is missing).
    Modified(String),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Missing => f.write_str("missing"),
            Unusable::NotOwned(refusal) => refusal.fmt(f),
            Unusable::Modified(what) => f.write_str(what),
        }
    }
}

/// Checks that `dir` holds this build's host, exactly, and only the user can change it.
pub fn verify(dir: &Path) -> Result<(), Unusable> {
    match owned::check_owned_dir(dir) {
        Ok(true) => {}
        Ok(false) => return Err(Unusable::Missing),
        Err(refusal) => return Err(Unusable::NotOwned(refusal)),
    }
    let mut checked_dirs: Vec<&str> = Vec::new();
    for (relative, contents) in HOST_FILES {
        // Every directory between `dir` and the file, once.
        let mut end = 0;
        while let Some(slash) = relative[end..].find('/') {
            end += slash;
            let sub = &relative[..end];
            if !checked_dirs.contains(&sub) {
                match owned::check_owned_dir(&dir.join(sub)) {
                    Ok(true) => {}
                    Ok(false) => return Err(Unusable::Modified(format!("{sub}/ is missing"))),
                    Err(refusal) => return Err(Unusable::NotOwned(refusal)),
                }
                checked_dirs.push(sub);
            }
            end += 1;
        }
        let path = dir.join(relative);
        owned::check_owned_file(&path).map_err(Unusable::NotOwned)?;
        match std::fs::read(&path) {
            Ok(bytes) if bytes == *contents => {}
            Ok(_) => return Err(Unusable::Modified(format!("{relative} was modified"))),
            Err(error) => return Err(Unusable::Modified(format!("{relative}: {error}"))),
        }
    }
    Ok(())
}

/// Extracts the host under `root` unless a verified copy is there; returns its
/// directory. `root` is created private (0700) if missing, and refused if another user
/// owns it or can write to it.
pub fn extract_into(root: &Path) -> io::Result<PathBuf> {
    owned::ensure_owned_dir(root)?;
    let target = root.join(dir_name());
    match verify(&target) {
        Ok(()) => return Ok(target),
        Err(Unusable::Missing) => {}
        Err(problem) => tracing::warn!(
            "the asyncell host in {} is not used ({problem}); replacing it",
            target.display()
        ),
    }
    let staging = owned::create_private_dir(root, &format!(".{}.tmp-", dir_name()))?;
    let installed = install(&staging).and_then(|()| match std::fs::rename(&staging, &target) {
        Ok(()) => Ok(()),
        Err(_) if verify(&target).is_ok() => Ok(()), // a concurrent server won the race
        Err(error) => {
            if std::fs::symlink_metadata(&target).is_err() {
                return Err(error);
            }
            // A stale, modified or foreign copy: move it aside (the root is ours, so
            // even another user's directory can be renamed), put ours in, then delete.
            let aside = root.join(format!(".{}.old-{}", dir_name(), owned::unpredictable()));
            std::fs::rename(&target, &aside)?;
            let _ = std::fs::remove_dir_all(&aside);
            std::fs::rename(&staging, &target).or_else(|error| {
                if verify(&target).is_ok() {
                    Ok(())
                } else {
                    Err(error)
                }
            })
        }
    });
    let _ = std::fs::remove_dir_all(&staging);
    installed?;
    verify(&target).map_err(|problem| {
        io::Error::other(format!(
            "{} does not verify after extraction: {problem}",
            target.display()
        ))
    })?;
    Ok(target)
}

/// Writes the host files into the new private directory `dir` (0700 directories, 0600
/// files, each created with `O_EXCL`).
fn install(dir: &Path) -> io::Result<()> {
    use std::io::Write as _;
    for (relative, contents) in HOST_FILES {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            if !parent.is_dir() {
                owned::private_dir_builder()
                    .recursive(true)
                    .create(parent)?;
            }
        }
        let mut file = owned::create_private_file(&path)?;
        file.write_all(contents)?;
    }
    Ok(())
}

/// Python code for `python -c` that reads the host package from stdin (see
/// [`bootstrap_payload`]), stores it once per content hash in the remote temp dir and
/// runs it. As locally, the stored copy is used only if the directories are the user's
/// and writable by no one else, and every file holds exactly the bytes just received;
/// a copy of the user's that does not match is replaced, and one that is not the
/// user's is left alone for a fresh private directory (`mkdtemp`, 0700, files created
/// with `O_EXCL`). It contains no single quote, so it can be wrapped in `'...'` for `ssh`.
pub const BOOTSTRAP: &str = r#"import os, sys, json, stat, shutil, tempfile
def take(n):
    data = b""
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            sys.exit(3)
        data += chunk
    return data
payload = json.loads(take(int(take(16))).decode("utf-8"))
files = dict((name, text.encode("utf-8")) for name, text in payload["files"].items())
uid = os.getuid()
def owned(path, kind):
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return kind(info.st_mode) and info.st_uid == uid and not info.st_mode & 0o022
def intact(home):
    if not owned(home, stat.S_ISDIR):
        return False
    for name, data in files.items():
        parts = name.split("/")
        for depth in range(1, len(parts)):
            if not owned(os.path.join(home, *parts[:depth]), stat.S_ISDIR):
                return False
        path = os.path.join(home, *parts)
        if not owned(path, stat.S_ISREG):
            return False
        with open(path, "rb") as handle:
            if handle.read() != data:
                return False
    return True
def extract():
    fresh = tempfile.mkdtemp(prefix="asyncell-host-")
    for name, data in files.items():
        path = os.path.join(fresh, *name.split("/"))
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path), 0o700)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(data)
    return fresh
home = os.path.join(tempfile.gettempdir(), "asyncell-%s-%s" % (payload["name"], uid))
if not intact(home):
    fresh = extract()
    if owned(home, stat.S_ISDIR):
        sys.stderr.write("asyncell bootstrap: replacing the modified host in %s\n" % home)
        shutil.rmtree(home, ignore_errors=True)
    elif os.path.lexists(home):
        sys.stderr.write("asyncell bootstrap: %s is not yours or is writable by others; using %s\n" % (home, fresh))
    try:
        os.rename(fresh, home)
    except OSError:
        pass
    if not intact(home):
        home = fresh
    else:
        shutil.rmtree(fresh, ignore_errors=True)
sys.path.insert(0, home)
sys.argv = [os.path.join(home, "asyncell_host.py")] + sys.argv[1:]
from asyncell.host import main
main()
"#;

/// What the supervisor writes to a bootstrapped host's stdin before any command: a
/// 16-digit length, then a JSON object `{"name": dir name, "files": {path: text}}`.
pub fn bootstrap_payload() -> Vec<u8> {
    let files: serde_json::Map<String, serde_json::Value> = HOST_FILES
        .iter()
        .map(|(path, contents)| {
            (
                (*path).to_string(),
                String::from_utf8_lossy(contents).into_owned().into(),
            )
        })
        .collect();
    let body = serde_json::json!({ "name": dir_name(), "files": files }).to_string();
    let mut payload = format!("{:016}", body.len()).into_bytes();
    payload.extend_from_slice(body.as_bytes());
    payload
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_the_entry_and_the_package_but_not_tests() {
        let names: Vec<&str> = HOST_FILES.iter().map(|(name, _)| *name).collect();
        assert!(names.contains(&ENTRY));
        assert!(names.contains(&"asyncell/host.py"));
        assert!(names
            .iter()
            .all(|n| !n.contains("tests/") && !n.contains("__pycache__")));
    }

    #[test]
    fn extraction_is_idempotent_and_race_free() {
        let root = tempfile::tempdir().unwrap();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let root = root.path().to_path_buf();
                std::thread::spawn(move || extract_into(&root).unwrap())
            })
            .collect();
        let dirs: Vec<PathBuf> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(dirs.windows(2).all(|w| w[0] == w[1]));
        assert!(verify(&dirs[0]).is_ok());
        let leftovers: Vec<_> = std::fs::read_dir(root.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "staging directories must be cleaned up");
        assert_eq!(extract_into(root.path()).unwrap(), dirs[0]);
    }

    #[cfg(unix)]
    #[test]
    fn modified_or_writable_copies_are_replaced() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = extract_into(root.path()).unwrap();
        let host = dir.join("asyncell").join("host.py");
        let pristine = std::fs::read(&host).unwrap();
        std::fs::write(&host, "raise SystemExit(7)\n").unwrap();
        assert!(matches!(verify(&dir), Err(Unusable::Modified(_))));
        assert_eq!(extract_into(root.path()).unwrap(), dir);
        assert_eq!(std::fs::read(&host).unwrap(), pristine);

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(verify(&dir), Err(Unusable::NotOwned(_))));
        assert_eq!(extract_into(root.path()).unwrap(), dir);
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let leftovers: Vec<_> = std::fs::read_dir(root.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "old copies and staging are removed");
    }

    #[test]
    fn bootstrap_has_no_single_quote() {
        assert!(!BOOTSTRAP.contains('\''));
        let payload = bootstrap_payload();
        let length: usize = std::str::from_utf8(&payload[..16])
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, payload.len() - 16);
    }
}
