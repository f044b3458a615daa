//! The Python host, embedded in the binary and extracted on first use.
//!
//! Files go to `$XDG_CACHE_HOME/asyncell/host-<version>-<content hash>/` (falling back to
//! `~/.cache/asyncell/`, then the temp dir). The content hash is part of the name, so an
//! existing directory is complete and current by construction: extraction writes a
//! private temp directory next to it and renames it into place, and a server that loses
//! that race to a concurrent one just uses the winner's copy.
//!
//! For hosts whose interpreter runs elsewhere (`ssh box python3`), the files cannot be
//! referenced by path; [`bootstrap`] ships them over the host's stdin instead.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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

/// The extracted host directory (extracting it on first call). Errors name every
/// location that was tried.
pub fn host_dir() -> Result<PathBuf, String> {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    DIR.get_or_init(|| {
        let mut problems = Vec::new();
        for root in cache_roots() {
            match extract_into(&root) {
                Ok(dir) => return Ok(dir),
                Err(error) => problems.push(format!("{}: {error}", root.display())),
            }
        }
        Err(format!(
            "cannot extract the asyncell host ({})",
            problems.join("; ")
        ))
    })
    .clone()
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
        // SAFETY: getuid has no preconditions and cannot fail.
        unsafe { libc::getuid() }.to_string()
    }
    #[cfg(not(unix))]
    {
        std::env::var("USERNAME").unwrap_or_else(|_| "user".into())
    }
}

fn complete(dir: &Path) -> bool {
    dir.join(ENTRY).is_file() && dir.join("asyncell").join("host.py").is_file()
}

/// Extracts the host under `root` unless it is already there; returns its directory.
pub fn extract_into(root: &Path) -> io::Result<PathBuf> {
    let target = root.join(dir_name());
    if complete(&target) {
        return Ok(target);
    }
    std::fs::create_dir_all(root)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let staging = root.join(format!(
        ".{}.tmp-{}-{nanos}",
        dir_name(),
        std::process::id()
    ));
    let written = write_files(&staging);
    if let Err(error) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(error);
    }
    let renamed = std::fs::rename(&staging, &target).or_else(|error| {
        if complete(&target) {
            return Ok(()); // a concurrent server won the race: use its copy
        }
        if target.exists() {
            // A partial directory from an older, non-atomic tool or a manual edit.
            std::fs::remove_dir_all(&target)?;
            return std::fs::rename(&staging, &target);
        }
        Err(error)
    });
    let _ = std::fs::remove_dir_all(&staging);
    renamed?;
    if complete(&target) {
        Ok(target)
    } else {
        Err(io::Error::other(format!(
            "{} is incomplete after extraction",
            target.display()
        )))
    }
}

fn write_files(dir: &Path) -> io::Result<()> {
    for (relative, contents) in HOST_FILES {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, contents)?;
    }
    Ok(())
}

/// Python code for `python -c` that reads the host package from stdin (see
/// [`bootstrap_payload`]), stores it once per content hash in the remote temp dir and
/// runs it. It contains no single quote, so it can be wrapped in `'...'` for `ssh`.
pub const BOOTSTRAP: &str = r#"import os, sys, json, tempfile
def take(n):
    data = b""
    while len(data) < n:
        chunk = os.read(0, n - len(data))
        if not chunk:
            sys.exit(3)
        data += chunk
    return data
payload = json.loads(take(int(take(16))).decode("utf-8"))
home = os.path.join(tempfile.gettempdir(), "asyncell-%s-%s" % (payload["name"], os.getuid()))
if not os.path.isfile(os.path.join(home, "asyncell_host.py")):
    staging = tempfile.mkdtemp(prefix="asyncell-host-")
    for name, text in payload["files"].items():
        path = os.path.join(staging, *name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    try:
        os.rename(staging, home)
    except OSError:
        import shutil
        shutil.rmtree(staging, ignore_errors=True)
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
        assert!(complete(&dirs[0]));
        let leftovers: Vec<_> = std::fs::read_dir(root.path()).unwrap().flatten().collect();
        assert_eq!(leftovers.len(), 1, "staging directories must be cleaned up");
        assert_eq!(extract_into(root.path()).unwrap(), dirs[0]);
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
