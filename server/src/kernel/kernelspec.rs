//! Kernel specs: the `kernel.json` files Jupyter front ends find kernels by
//! (`asyncell kernel install | list | uninstall`).
//!
//! Where they go, as `jupyter kernelspec` puts them: `--user` (the default) in the user's
//! Jupyter data dir, `--sys-prefix` in the active virtualenv or conda environment,
//! `--prefix P` in `P/share/jupyter`. The spec runs the very binary that installed it
//! (its absolute path), with `interrupt_mode: message`, so interrupts arrive as
//! `interrupt_request`s whatever the front end's platform.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::exec::LoopKind;

/// Where to install or look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    User,
    SysPrefix,
    Prefix(PathBuf),
}

/// What `install` writes.
#[derive(Clone, Debug)]
pub struct Install {
    pub location: Location,
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub loop_kind: LoopKind,
    pub python: Option<String>,
}

pub fn default_name(loop_kind: LoopKind) -> String {
    format!("asyncell-{}", loop_kind.as_str())
}

pub fn default_display_name(loop_kind: LoopKind) -> String {
    format!("Python (asyncell, {})", loop_kind.as_str())
}

/// The Jupyter data dir a location stands for.
pub fn data_dir(location: &Location) -> Result<PathBuf, String> {
    match location {
        Location::Prefix(prefix) => Ok(std::path::absolute(prefix)
            .unwrap_or_else(|_| prefix.clone())
            .join("share/jupyter")),
        Location::SysPrefix => sys_prefix()
            .map(|prefix| prefix.join("share/jupyter"))
            .ok_or_else(|| {
                "--sys-prefix: no active environment (neither VIRTUAL_ENV nor CONDA_PREFIX is set)"
                    .to_string()
            }),
        Location::User => user_data_dir()
            .ok_or_else(|| "--user: cannot find the home directory (HOME is not set)".to_string()),
    }
}

fn sys_prefix() -> Option<PathBuf> {
    ["VIRTUAL_ENV", "CONDA_PREFIX"]
        .into_iter()
        .filter_map(std::env::var_os)
        .find(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// `JUPYTER_DATA_DIR`, else the platform's user data dir, as jupyter_core finds it.
fn user_data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("JUPYTER_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let home = PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?);
    if cfg!(target_os = "macos") {
        return Some(home.join("Library/Jupyter"));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map_or_else(|| home.join(".local/share"), PathBuf::from);
    Some(data.join("jupyter"))
}

/// Every data dir Jupyter searches, in its order: `JUPYTER_PATH`, the user's, the
/// environment's, the system's.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("JUPYTER_PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    dirs.extend(user_data_dir());
    dirs.extend(sys_prefix().map(|p| p.join("share/jupyter")));
    dirs.push(PathBuf::from("/usr/local/share/jupyter"));
    dirs.push(PathBuf::from("/usr/share/jupyter"));
    let mut unique = Vec::new();
    for dir in dirs {
        if !unique.contains(&dir) {
            unique.push(dir);
        }
    }
    unique
}

/// The kernel.json of an install.
pub fn spec_json(exe: &Path, install: &Install) -> Value {
    let mut argv = vec![
        exe.display().to_string(),
        "kernel".to_string(),
        "--connection-file".to_string(),
        "{connection_file}".to_string(),
        "--loop".to_string(),
        install.loop_kind.as_str().to_string(),
    ];
    if let Some(python) = &install.python {
        argv.push("--python".to_string());
        argv.push(python.clone());
    }
    json!({
        "argv": argv,
        "display_name": install
            .display_name
            .clone()
            .unwrap_or_else(|| default_display_name(install.loop_kind)),
        "language": "python",
        "interrupt_mode": "message",
        "metadata": {"debugger": false, "asyncell": {"loop": install.loop_kind.as_str()}},
    })
}

/// A small logo (JupyterLab's launcher shows `logo-svg.svg`).
const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#2b5b84"/><circle cx="32" cy="32" r="18" fill="none" stroke="#ffd43b" stroke-width="6" stroke-dasharray="84 30"/><path d="M44 14l6 8-10 2z" fill="#ffd43b"/></svg>
"##;

/// Writes the spec; the directory written.
pub fn install(exe: &Path, install: &Install) -> Result<PathBuf, String> {
    let name = install
        .name
        .clone()
        .unwrap_or_else(|| default_name(install.loop_kind));
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(format!(
            "kernel name `{name}`: use letters, digits, `-`, `_` and `.` only (Jupyter's rule)"
        ));
    }
    let dir = data_dir(&install.location)?.join("kernels").join(&name);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let text = serde_json::to_string_pretty(&spec_json(exe, install)).unwrap_or_default();
    let write = |file: &str, contents: &str| {
        let path = dir.join(file);
        std::fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write("kernel.json", &format!("{text}\n"))?;
    write("logo-svg.svg", LOGO_SVG)?;
    Ok(dir)
}

/// An installed asyncell kernel spec.
#[derive(Clone, Debug)]
pub struct Installed {
    pub name: String,
    pub dir: PathBuf,
    pub display_name: String,
}

/// Whether a kernel.json runs `asyncell kernel`.
fn is_ours(spec: &Value) -> bool {
    let argv = spec["argv"].as_array();
    let program = argv.and_then(|a| a.first()).and_then(Value::as_str);
    let command = argv.and_then(|a| a.get(1)).and_then(Value::as_str);
    command == Some("kernel")
        && program.is_some_and(|p| {
            Path::new(p)
                .file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with("asyncell"))
        })
}

/// The asyncell specs in `dirs` (the first of a name wins, as in Jupyter).
pub fn list(dirs: &[PathBuf]) -> Vec<Installed> {
    let mut found: Vec<Installed> = Vec::new();
    for data in dirs {
        let Ok(entries) = std::fs::read_dir(data.join("kernels")) else {
            continue;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let dir = entry.path();
            let Ok(text) = std::fs::read_to_string(dir.join("kernel.json")) else {
                continue;
            };
            let Ok(spec) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let name = entry.file_name().to_string_lossy().into_owned();
            if !is_ours(&spec) || found.iter().any(|f| f.name == name) {
                continue;
            }
            found.push(Installed {
                name,
                dir,
                display_name: spec["display_name"].as_str().unwrap_or("").to_string(),
            });
        }
    }
    found
}

/// Removes the named asyncell specs found in `dirs`; the directories removed.
pub fn uninstall(dirs: &[PathBuf], names: &[String]) -> Result<Vec<PathBuf>, String> {
    let installed = list(dirs);
    let mut removed = Vec::new();
    for name in names {
        let Some(spec) = installed.iter().find(|i| &i.name == name) else {
            return Err(format!(
                "no asyncell kernel spec named `{name}` (`asyncell kernel list` shows them)"
            ));
        };
        std::fs::remove_dir_all(&spec.dir)
            .map_err(|e| format!("cannot remove {}: {e}", spec.dir.display()))?;
        removed.push(spec.dir.clone());
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_list_uninstall_in_a_prefix() {
        let prefix = tempfile::tempdir().unwrap();
        let exe = Path::new("/opt/bin/asyncell");
        let spec = Install {
            location: Location::Prefix(prefix.path().to_path_buf()),
            name: None,
            display_name: None,
            loop_kind: LoopKind::Trio,
            python: None,
        };
        let dir = install(exe, &spec).unwrap();
        assert!(dir.ends_with("share/jupyter/kernels/asyncell-trio"));
        let written: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("kernel.json")).unwrap())
                .unwrap();
        assert_eq!(written["display_name"], "Python (asyncell, trio)");
        assert_eq!(written["interrupt_mode"], "message");
        assert_eq!(written["argv"][0], "/opt/bin/asyncell");
        let dirs = vec![prefix.path().join("share/jupyter")];
        assert_eq!(list(&dirs).len(), 1);
        assert!(install(
            exe,
            &Install {
                name: Some("bad name".into()),
                ..spec
            }
        )
        .is_err());
        uninstall(&dirs, &["asyncell-trio".to_string()]).unwrap();
        assert!(list(&dirs).is_empty());
        assert!(uninstall(&dirs, &["asyncell-trio".to_string()]).is_err());
    }
}
