//! Which copy of the host package a host runs.
//!
//! `pip install asyncell` puts the host package into the user's environment, where cells
//! and type checkers import it (`from asyncell import background`). When the chosen
//! interpreter's environment holds that package and it is exactly this binary's host
//! (every embedded file byte for byte, directories and files writable only by their
//! owner, who is the user or root), the host runs from it and nothing is extracted.
//! Otherwise (another version, an edited copy, no package) the embedded copy is extracted
//! and run as before, and remote interpreters get it over stdin ([`embed::BOOTSTRAP`]).
//!
//! The installed package is found from the interpreter's path, without starting Python
//! (a start costs 100 ms and more on a loaded machine): `<prefix>/bin/python` has its
//! packages in `<prefix>/lib/python3.*/site-packages` (`dist-packages` on Debian, also
//! `<prefix>/local/lib/...`), and an interpreter outside any venv also sees the user's
//! `~/.local/lib/python3.*/site-packages`. It is loaded by path ([`LAUNCH`]), so a
//! directory named `asyncell` next to the document cannot stand in for it.

use super::status::CopyKind;
use std::path::{Path, PathBuf};

use super::embed::{self, HOST_FILES};

/// The package's directory name inside `site-packages`, and in [`HOST_FILES`].
const PACKAGE: &str = "asyncell";

/// The host package a host runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostCopy {
    /// The `asyncell` package installed in the interpreter's environment.
    Installed { package: PathBuf },
    /// The embedded copy, extracted into the user's cache.
    Embedded { dir: PathBuf },
    /// The embedded copy, sent over stdin to an interpreter on another machine.
    Remote,
}

impl HostCopy {
    /// The name in `asyncell/status` and `asyncell --version`.
    pub fn kind(&self) -> CopyKind {
        match self {
            HostCopy::Installed { .. } => CopyKind::Installed,
            HostCopy::Embedded { .. } => CopyKind::Embedded,
            HostCopy::Remote => CopyKind::Remote,
        }
    }

    /// The package directory that runs (None for a remote host).
    pub fn path(&self) -> Option<PathBuf> {
        match self {
            HostCopy::Installed { package } => Some(package.clone()),
            HostCopy::Embedded { dir } => Some(dir.join(PACKAGE)),
            HostCopy::Remote => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            HostCopy::Installed { package } => {
                format!("the installed asyncell package in {}", package.display())
            }
            HostCopy::Embedded { dir } => {
                format!("the embedded host, extracted to {}", dir.display())
            }
            HostCopy::Remote => "the embedded host, sent to the remote interpreter".into(),
        }
    }

    /// What follows the interpreter in a local host's argv, before the host's options.
    pub fn launch_args(&self) -> Vec<String> {
        match self {
            HostCopy::Installed { package } => vec![
                "-c".into(),
                LAUNCH.into(),
                package.to_string_lossy().into_owned(),
            ],
            HostCopy::Embedded { dir } => {
                vec![dir.join(embed::ENTRY).to_string_lossy().into_owned()]
            }
            HostCopy::Remote => vec!["-c".into(), embed::BOOTSTRAP.into()],
        }
    }
}

/// Python code for `python -c LAUNCH <package dir> --loop ...`: loads the verified
/// package from its directory by path and runs the host. The current directory (`''`,
/// which `-c` puts first on `sys.path`) is taken off, as it is when the extracted
/// `asyncell_host.py` runs, so both copies see the same `sys.path`.
pub const LAUNCH: &str = r#"import sys, importlib.util
package = sys.argv.pop(1)
if sys.path and sys.path[0] == "":
    del sys.path[0]
spec = importlib.util.spec_from_file_location("asyncell", package + "/__init__.py", submodule_search_locations=[package])
module = importlib.util.module_from_spec(spec)
sys.modules["asyncell"] = module
spec.loader.exec_module(module)
from asyncell.host import main
main()
"#;

/// The copy a local interpreter runs: the installed package when it is this build's
/// host, else the extracted embedded copy.
pub fn for_local(argv: &[String]) -> Result<HostCopy, String> {
    match installed_package(argv) {
        Ok(package) => Ok(HostCopy::Installed { package }),
        Err(passed_over) => {
            if let Some(reason) = passed_over {
                tracing::info!("{reason}; using the embedded host");
            }
            embed::host_dir().map(|dir| HostCopy::Embedded { dir })
        }
    }
}

/// The verified installed package for an interpreter argv. `Err(None)`: there is none;
/// `Err(Some(why))`: there is one, and why it does not run.
pub fn installed_package(argv: &[String]) -> Result<PathBuf, Option<String>> {
    // Only a bare interpreter: `env X=1 python`, `uv run python` hide where it is.
    let [program] = argv else {
        return Err(None);
    };
    let python = resolve_program(program).ok_or(None)?;
    let mut passed_over = None;
    for package in candidate_packages(&python) {
        match verify_installed(&package) {
            Ok(()) => return Ok(package),
            Err(why) => {
                passed_over.get_or_insert(format!(
                    "the asyncell package in {} is not this build's host ({why})",
                    package.display()
                ));
            }
        }
    }
    Err(passed_over)
}

/// `program` as a path: itself if it has a slash, else the first match on `PATH`.
fn resolve_program(program: &str) -> Option<PathBuf> {
    if program.contains('/') {
        let path = PathBuf::from(program);
        return path.is_file().then_some(path);
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// Where the interpreter at `python` (not resolved: a venv's `bin/python` is a symlink
/// to the base interpreter) may have `asyncell` installed, most specific first.
fn candidate_packages(python: &Path) -> Vec<PathBuf> {
    let Some(prefix) = python.parent().and_then(Path::parent) else {
        return Vec::new();
    };
    let mut lib_dirs = vec![prefix.join("lib"), prefix.join("lib64")];
    let in_venv = prefix.join("pyvenv.cfg").is_file();
    if !in_venv {
        lib_dirs.push(prefix.join("local").join("lib"));
        if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
            lib_dirs.push(home.join(".local").join("lib"));
        }
    }
    let mut packages = Vec::new();
    for lib in lib_dirs {
        let Ok(entries) = std::fs::read_dir(&lib) else {
            continue;
        };
        let mut versions: Vec<PathBuf> = entries
            .flatten()
            .filter(|entry| entry.file_name().to_string_lossy().starts_with("python3"))
            .map(|entry| entry.path())
            .collect();
        versions.sort();
        for version in versions {
            for site in ["site-packages", "dist-packages"] {
                let package = version.join(site).join(PACKAGE);
                if package.join("__init__.py").is_file() {
                    packages.push(package);
                }
            }
        }
    }
    packages
}

/// Checks that `package` holds exactly this build's host package and that only its
/// owner (the user or root) can change it.
pub fn verify_installed(package: &Path) -> Result<(), String> {
    let site = package.parent().ok_or("no parent directory")?;
    let mut checked_dirs: Vec<&str> = Vec::new();
    for (relative, contents) in HOST_FILES {
        let Some(inner) = relative.strip_prefix("asyncell/") else {
            continue; // the entry script lives outside the package
        };
        let mut end = 0;
        while let Some(slash) = relative[end..].find('/') {
            end += slash;
            let dir = &relative[..end];
            if !checked_dirs.contains(&dir) {
                check_unwritable(&site.join(dir), true)?;
                checked_dirs.push(dir);
            }
            end += 1;
        }
        let path = package.join(inner);
        let size = check_unwritable(&path, false)?;
        // A file of another size differs: never read more than the embedded length.
        let read = (size == contents.len() as u64).then(|| std::fs::read(&path));
        match read {
            Some(Ok(bytes)) if bytes == *contents => {}
            Some(Err(error)) => return Err(format!("{inner}: {error}")),
            _ if inner == "__init__.py" => {
                return Err(match declared_version(&path, size) {
                    Some(version) if version != env!("CARGO_PKG_VERSION") => format!(
                        "it is version {version}, this binary is {}",
                        env!("CARGO_PKG_VERSION")
                    ),
                    _ => "its __init__.py differs".into(),
                })
            }
            _ => return Err(format!("its {inner} differs")),
        }
    }
    Ok(())
}

/// `__version__ = "..."` from an `__init__.py` of `size` bytes (none past 1 MiB: a
/// package `__init__.py` is a few lines).
fn declared_version(init: &Path, size: u64) -> Option<String> {
    if size > 1 << 20 {
        return None;
    }
    let text = std::fs::read_to_string(init).ok()?;
    text.lines().find_map(|line| {
        let value = line
            .strip_prefix("__version__")?
            .trim_start()
            .strip_prefix('=')?;
        Some(value.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// A file (not a symlink) or directory that its owner, the user or root, alone can
/// write: the same standard as the interpreter the user chose to run. Returns its size.
fn check_unwritable(path: &Path, dir: bool) -> Result<u64, String> {
    let shown = path.display();
    let meta = std::fs::symlink_metadata(path).map_err(|error| format!("{shown}: {error}"))?;
    let kind_ok = if dir {
        meta.is_dir()
    } else {
        meta.file_type().is_file()
    };
    if !kind_ok {
        return Err(format!(
            "{shown} is not a {}",
            if dir { "directory" } else { "regular file" }
        ));
    }
    if let Some(uid) = crate::config::foreign_owner(path) {
        return Err(format!("{shown} is owned by uid {uid}"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o022 != 0 {
            return Err(format!("{shown} can be written by other users"));
        }
    }
    Ok(meta.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A venv-shaped tree with the host package installed, as pip lays it out.
    fn venv_with_package() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let venv = tempfile::tempdir().unwrap();
        let bin = venv.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(venv.path().join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        let python = bin.join("python");
        std::fs::write(&python, "").unwrap();
        let site = venv.path().join("lib/python3.11/site-packages");
        for (relative, contents) in HOST_FILES {
            if relative.starts_with("asyncell/") {
                let path = site.join(relative);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, contents).unwrap();
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for dir in [site.clone(), site.join(PACKAGE)] {
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        (venv, python, site.join(PACKAGE))
    }

    #[test]
    fn an_installed_copy_of_this_build_runs_in_place() {
        let (_venv, python, package) = venv_with_package();
        let argv = [python.to_string_lossy().into_owned()];
        assert_eq!(installed_package(&argv), Ok(package.clone()));
        assert_eq!(
            for_local(&argv),
            Ok(HostCopy::Installed {
                package: package.clone()
            })
        );
        assert_eq!(
            HostCopy::Installed { package }.launch_args()[..2],
            ["-c", LAUNCH]
        );
    }

    #[test]
    fn another_version_or_an_edited_copy_is_passed_over_with_the_reason() {
        let (_venv, python, package) = venv_with_package();
        let argv = [python.to_string_lossy().into_owned()];
        std::fs::write(package.join("__init__.py"), "__version__ = \"0.0.1\"\n").unwrap();
        let why = installed_package(&argv).unwrap_err().unwrap();
        assert!(why.contains("version 0.0.1"), "{why}");
        let (_venv, python, package) = venv_with_package();
        let argv = [python.to_string_lossy().into_owned()];
        std::fs::write(package.join("host.py"), "raise SystemExit(7)\n").unwrap();
        let why = installed_package(&argv).unwrap_err().unwrap();
        assert!(why.contains("host.py differs"), "{why}");
    }

    #[cfg(unix)]
    #[test]
    fn a_copy_others_can_write_is_not_run() {
        use std::os::unix::fs::PermissionsExt;
        let (_venv, python, package) = venv_with_package();
        std::fs::set_permissions(&package, std::fs::Permissions::from_mode(0o777)).unwrap();
        let argv = [python.to_string_lossy().into_owned()];
        let why = installed_package(&argv).unwrap_err().unwrap();
        assert!(why.contains("written by other users"), "{why}");
    }

    #[test]
    fn wrapped_interpreters_use_the_embedded_copy() {
        let argv = ["env".to_string(), "python3".to_string()];
        assert_eq!(installed_package(&argv), Err(None));
    }

    #[test]
    fn the_package_declares_this_builds_version() {
        let init = HOST_FILES
            .iter()
            .find(|(name, _)| *name == "asyncell/__init__.py")
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("__init__.py"), init.1).unwrap();
        assert_eq!(
            declared_version(&dir.path().join("__init__.py"), init.1.len() as u64).as_deref(),
            Some(env!("CARGO_PKG_VERSION")),
            "server/host/asyncell/__init__.py's __version__ must match server/Cargo.toml"
        );
    }
}
