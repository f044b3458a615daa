//! Which files `asyncell check` looks at and which rules each file skips, as Ruff
//! decides it (the language server applies `per-file-ignores` the same way).
//!
//! * `exclude` (default: [`DEFAULT_EXCLUDE`], the directories no one means to lint:
//!   virtualenvs, build output, caches, VCS metadata) replaces the defaults;
//!   `extend-exclude` adds to them. A pattern without a slash matches any file or
//!   directory of that name (`venv`, `*_pb2.py`); one with a slash matches the path relative
//!   to the directory of the pyproject.toml that set it (or, for `--exclude` on the command
//!   line, to the current directory). An excluded directory is never entered.
//! * A path named on the command line is checked even if it matches (you asked for it),
//!   unless `force-exclude` is on, which is what pre-commit hooks want: they name every
//!   staged file.
//! * `per-file-ignores` maps patterns (matched the same way) to codes or prefixes that
//!   those files skip.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use crate::config::ConfigLayer;

/// Ruff's default exclusions, plus asyncell's own cache directory.
pub const DEFAULT_EXCLUDE: &[&str] = &[
    ".asyncell_cache",
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
];

/// Compiled glob patterns, each matched against a path's name and against the path
/// relative to `base`.
#[derive(Clone, Debug)]
pub struct Patterns {
    by_name: GlobSet,
    by_path: GlobSet,
    base: PathBuf,
}

impl Patterns {
    /// `origin` names where the patterns came from, for errors.
    pub fn new(patterns: &[String], base: &Path, origin: &str) -> Result<Patterns, String> {
        let mut by_name = GlobSetBuilder::new();
        let mut by_path = GlobSetBuilder::new();
        for pattern in patterns {
            let glob = compile(pattern).map_err(|error| format!("{origin}: {error}"))?;
            if pattern.contains('/') {
                by_path.add(glob);
            } else {
                by_name.add(glob);
            }
        }
        let build = |builder: GlobSetBuilder| {
            builder
                .build()
                .map_err(|error| format!("{origin}: {error}"))
        };
        Ok(Patterns {
            by_name: build(by_name)?,
            by_path: build(by_path)?,
            base: absolute(base),
        })
    }

    pub fn matches(&self, path: &Path) -> bool {
        if path
            .file_name()
            .is_some_and(|name| self.by_name.is_match(Path::new(name)))
        {
            return true;
        }
        if self.by_path.is_empty() {
            return false;
        }
        let absolute = absolute(path);
        let relative = absolute.strip_prefix(&self.base).unwrap_or(&absolute);
        self.by_path.is_match(relative) || self.by_path.is_match(&absolute)
    }
}

fn compile(pattern: &str) -> Result<Glob, String> {
    let trimmed = pattern.trim_start_matches("./").trim_end_matches('/');
    if trimmed.is_empty() {
        return Err(format!("`{pattern}` is an empty pattern"));
    }
    GlobBuilder::new(trimmed)
        .literal_separator(true)
        .build()
        .map_err(|error| format!("`{pattern}` is not a valid glob: {error}"))
}

fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    // Lexically: `./a/../b` → `b`, without touching the file system.
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

/// What one configuration (a pyproject.toml's, merged with the command line's) excludes.
#[derive(Clone, Debug)]
pub struct Exclusions {
    sets: Vec<Patterns>,
    pub force: bool,
}

/// The command line's file-selection flags.
#[derive(Clone, Debug, Default)]
pub struct CliSelection {
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Vec<String>,
    pub force_exclude: Option<bool>,
}

impl Exclusions {
    /// From a pyproject layer whose file sits in `base` (None: no pyproject applies), and
    /// the command line's flags (relative to the current directory).
    pub fn new(
        layer: &ConfigLayer,
        base: Option<&Path>,
        origin: &str,
        cli: &CliSelection,
    ) -> Result<Exclusions, String> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let file_base = base.unwrap_or(&cwd);
        let mut sets = Vec::new();
        match &cli.exclude {
            Some(patterns) => sets.push(Patterns::new(patterns, &cwd, "--exclude")?),
            None => {
                let defaults: Vec<String>;
                let patterns = match &layer.exclude {
                    Some(patterns) => patterns,
                    None => {
                        defaults = DEFAULT_EXCLUDE.iter().map(|p| (*p).to_string()).collect();
                        &defaults
                    }
                };
                sets.push(Patterns::new(
                    patterns,
                    file_base,
                    &format!("{origin} exclude"),
                )?);
            }
        }
        if let Some(extend) = &layer.extend_exclude {
            sets.push(Patterns::new(
                extend,
                file_base,
                &format!("{origin} extend-exclude"),
            )?);
        }
        if !cli.extend_exclude.is_empty() {
            sets.push(Patterns::new(
                &cli.extend_exclude,
                &cwd,
                "--extend-exclude",
            )?);
        }
        Ok(Exclusions {
            sets,
            force: cli.force_exclude.or(layer.force_exclude).unwrap_or(false),
        })
    }

    pub fn excludes(&self, path: &Path) -> bool {
        self.sets.iter().any(|set| set.matches(path))
    }

    /// Whether a path named on the command line is left out: with `force-exclude`, when
    /// it or a directory it is in matches, as a walk would have pruned it. Directories
    /// above the current directory (or, for a path outside it, above the project) play
    /// no part: a checkout under `~/build/` is not excluded as a whole.
    pub fn excludes_named(&self, path: &Path) -> bool {
        if !self.force {
            return false;
        }
        let path = absolute(path);
        let cwd = absolute(Path::new("."));
        let top = if path.starts_with(&cwd) {
            cwd
        } else {
            self.sets
                .first()
                .map(|set| set.base.clone())
                .unwrap_or_default()
        };
        path.ancestors()
            .take_while(|dir| dir.starts_with(&top) && *dir != top)
            .any(|dir| self.excludes(dir))
    }
}

/// `per-file-ignores`: the codes each matching file skips.
#[derive(Clone, Debug, Default)]
pub struct PerFileIgnores {
    entries: Vec<(Patterns, Vec<String>)>,
}

impl PerFileIgnores {
    pub fn new(
        table: Option<&BTreeMap<String, Vec<String>>>,
        base: &Path,
        origin: &str,
    ) -> Result<PerFileIgnores, String> {
        let mut entries = Vec::new();
        for (pattern, codes) in table.into_iter().flatten() {
            let patterns = Patterns::new(
                std::slice::from_ref(pattern),
                base,
                &format!("{origin} per-file-ignores"),
            )?;
            entries.push((patterns, codes.clone()));
        }
        Ok(PerFileIgnores { entries })
    }

    pub fn codes_for(&self, path: &Path) -> Vec<String> {
        self.entries
            .iter()
            .filter(|(patterns, _)| patterns.matches(path))
            .flat_map(|(_, codes)| codes.iter().cloned())
            .collect()
    }
}

/// Whether a file named on the command line is one `check` reads: Python source or a
/// notebook. Anything else is skipped with a warning rather than parsed as Python.
pub fn is_checkable(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext == "py" || ext == "pyi" || ext == "ipynb")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns(list: &[&str], base: &str) -> Patterns {
        let list: Vec<String> = list.iter().map(|p| (*p).to_string()).collect();
        Patterns::new(&list, Path::new(base), "test").unwrap()
    }

    #[test]
    fn a_name_pattern_matches_anywhere_and_a_path_pattern_from_its_base() {
        let set = patterns(&["venv", "*_pb2.py", "docs/*.py"], "/proj");
        assert!(set.matches(Path::new("/proj/venv")));
        assert!(set.matches(Path::new("/proj/sub/venv")));
        assert!(set.matches(Path::new("/proj/api/svc_pb2.py")));
        assert!(set.matches(Path::new("/proj/docs/conf.py")));
        assert!(
            !set.matches(Path::new("/proj/docs/deep/conf.py")),
            "`*` stays within a directory"
        );
        assert!(!set.matches(Path::new("/proj/src/app.py")));
    }

    /// What `layer`, set in `/proj/pyproject.toml`, excludes (no command-line flags).
    fn in_proj(layer: &ConfigLayer) -> Exclusions {
        Exclusions::new(
            layer,
            Some(Path::new("/proj")),
            "x",
            &CliSelection::default(),
        )
        .unwrap()
    }

    #[test]
    fn the_defaults_cover_virtualenvs_and_build_output() {
        let exclusions = in_proj(&ConfigLayer::default());
        for excluded in [
            "/proj/venv",
            "/proj/.venv",
            "/proj/lib/site-packages",
            "/proj/build",
            "/proj/.git",
        ] {
            assert!(exclusions.excludes(Path::new(excluded)), "{excluded}");
        }
        assert!(!exclusions.excludes(Path::new("/proj/src")));
        assert!(
            !exclusions.excludes_named(Path::new("/proj/venv")),
            "named paths are checked"
        );
    }

    #[test]
    fn exclude_replaces_the_defaults_and_extend_exclude_adds() {
        let layer = ConfigLayer {
            exclude: Some(vec!["generated".into()]),
            extend_exclude: Some(vec!["legacy/*.py".into()]),
            force_exclude: Some(true),
            ..ConfigLayer::default()
        };
        let exclusions = in_proj(&layer);
        assert!(!exclusions.excludes(Path::new("/proj/venv")));
        assert!(exclusions.excludes(Path::new("/proj/generated")));
        assert!(exclusions.excludes(Path::new("/proj/legacy/old.py")));
        assert!(exclusions.excludes_named(Path::new("/proj/legacy/old.py")));
        assert!(!exclusions.excludes_named(Path::new("/elsewhere/legacy/old.py")));
    }

    #[test]
    fn a_bad_pattern_names_where_it_came_from() {
        let error =
            Patterns::new(&["a[".into()], Path::new("/"), "pyproject.toml exclude").unwrap_err();
        assert!(
            error.starts_with("pyproject.toml exclude: `a[` is not a valid glob"),
            "{error}"
        );
    }
}
