//! Configuration sources, each overriding the previous one:
//! `[tool.asyncell]` in the nearest pyproject.toml, then the editor's settings
//! (`initializationOptions`, `workspace/didChangeConfiguration`), then CLI flags.
//!
//! A project's configuration never chooses what runs: [`ConfigLayer`], the only thing a
//! pyproject.toml can produce, has no executable in it. The interpreter comes from the
//! user's own side ([`EditorSettings`], the CLI's `--python`, `$VIRTUAL_ENV`), and a
//! `python` key in a pyproject.toml is dropped with a [`ConfigNotice`]. Discovery stops
//! at the workspace root or the repository root, and skips files another user owns.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::analysis::{selector, LoopMode, PythonVersion, RuleOptions, Settings, Target};

/// The python interpreter argv the host runs under: a path or an argv list
/// (`["ssh", "box", "python3"]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum PythonSetting {
    Path(String),
    Argv(Vec<String>),
}

impl PythonSetting {
    pub fn argv(&self) -> Vec<String> {
        match self {
            PythonSetting::Path(path) => vec![path.clone()],
            PythonSetting::Argv(argv) => argv.clone(),
        }
    }
}

/// One layer of configuration: every field optional, so layers can be merged.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigLayer {
    #[serde(rename = "loop")]
    pub loop_mode: Option<LoopMode>,
    pub target: Option<Target>,
    /// The oldest Python the code must run on (`py310` ... `py314`). Unset in a
    /// pyproject.toml, its `[project] requires-python` decides, as in Ruff.
    pub target_version: Option<PythonVersion>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    /// Selectors added to this or a lower layer's `select` (Ruff's `extend-select`).
    pub extend_select: Option<Vec<String>>,
    /// Selectors added to `ignore` (Ruff's `extend-ignore`).
    pub extend_ignore: Option<Vec<String>>,
    /// Where rule documentation lives, for the `url` of each finding (and SARIF's
    /// `helpUri`, the editor's code link): `{code}` in it is replaced by the rule's code,
    /// else the code is appended. Unset, findings carry no URL: asyncell has no rule
    /// pages online, and a link that 404s is worse than none.
    pub rule_url_base: Option<String>,
    // No `python` (or any other executable): this layer is what a pyproject.toml can
    // set, and a repository must not choose what runs on the user's machine.
    // Rule options, documented on [`RuleOptions`]. A layer that sets one replaces the
    // lower layer's value as a whole, like `select`.
    pub blocking_calls: Option<BTreeMap<String, String>>,
    pub startable_in_context_manager: Option<Vec<String>>,
    pub no_checkpoint_warning_decorators: Option<Vec<String>>,
    pub transform_async_generator_decorators: Option<Vec<String>>,
    pub exception_suppress_context_managers: Option<Vec<String>>,
    // File selection (`asyncell check`; see cli/selection.rs). Patterns are relative to
    // the directory of the pyproject.toml that sets them.
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    pub force_exclude: Option<bool>,
    /// Glob pattern → codes or prefixes that matching files skip.
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
}

impl ConfigLayer {
    /// `self` overridden by `over`.
    pub fn merged(&self, over: &ConfigLayer) -> ConfigLayer {
        fn pick<T: Clone>(over: &Option<T>, under: &Option<T>) -> Option<T> {
            over.clone().or_else(|| under.clone())
        }
        ConfigLayer {
            loop_mode: over.loop_mode.or(self.loop_mode),
            target: over.target.or(self.target),
            target_version: over.target_version.or(self.target_version),
            select: over.select.clone().or_else(|| self.select.clone()),
            // A layer that selects rules starts its selection afresh, as in Ruff: an
            // `ignore` from a lower layer must not veto an explicit `--select`.
            ignore: over.ignore.clone().or_else(|| {
                if over.select.is_some() {
                    None
                } else {
                    self.ignore.clone()
                }
            }),
            // Extensions accumulate across layers, except that a layer's own `select`
            // starts afresh, so a lower layer's extensions are dropped with its `select`.
            extend_select: extended(&self.extend_select, over, |l| &l.extend_select),
            extend_ignore: extended(&self.extend_ignore, over, |l| &l.extend_ignore),
            rule_url_base: pick(&over.rule_url_base, &self.rule_url_base),
            blocking_calls: pick(&over.blocking_calls, &self.blocking_calls),
            startable_in_context_manager: pick(
                &over.startable_in_context_manager,
                &self.startable_in_context_manager,
            ),
            no_checkpoint_warning_decorators: pick(
                &over.no_checkpoint_warning_decorators,
                &self.no_checkpoint_warning_decorators,
            ),
            transform_async_generator_decorators: pick(
                &over.transform_async_generator_decorators,
                &self.transform_async_generator_decorators,
            ),
            exception_suppress_context_managers: pick(
                &over.exception_suppress_context_managers,
                &self.exception_suppress_context_managers,
            ),
            exclude: pick(&over.exclude, &self.exclude),
            extend_exclude: pick(&over.extend_exclude, &self.extend_exclude),
            force_exclude: over.force_exclude.or(self.force_exclude),
            per_file_ignores: pick(&over.per_file_ignores, &self.per_file_ignores),
        }
    }

    pub fn settings(&self) -> Settings {
        Settings {
            loop_mode: self.loop_mode.unwrap_or_default(),
            target: self.target.unwrap_or_default(),
            target_version: self.target_version.unwrap_or_default(),
            select: self.select.clone(),
            extend_select: self.extend_select.clone().unwrap_or_default(),
            ignore: self
                .ignore
                .iter()
                .chain(&self.extend_ignore)
                .flatten()
                .cloned()
                .collect(),
            options: RuleOptions {
                blocking_calls: self.blocking_calls.clone().unwrap_or_default(),
                startable_in_context_manager: self
                    .startable_in_context_manager
                    .clone()
                    .unwrap_or_default(),
                no_checkpoint_warning_decorators: self
                    .no_checkpoint_warning_decorators
                    .clone()
                    .unwrap_or_else(|| RuleOptions::default().no_checkpoint_warning_decorators),
                transform_async_generator_decorators: self
                    .transform_async_generator_decorators
                    .clone()
                    .unwrap_or_default(),
                exception_suppress_context_managers: self
                    .exception_suppress_context_managers
                    .clone()
                    .unwrap_or_default(),
            },
            rule_url_base: self.rule_url_base.clone().filter(|base| !base.is_empty()),
            package: None,
        }
    }
    /// Checks `select` and `ignore` against the rule catalogue: valid selectors are kept
    /// in canonical form (upper case), each empty or unknown one is removed and described.
    /// `origin` names where a key came from (`origin("select")` →
    /// `/x/pyproject.toml [tool.asyncell] select`). Callers decide what an error means:
    /// the CLI stops (exit 2), the language server shows it and goes on without that
    /// selector. Every layer must pass through here before its `settings()` are used.
    pub fn validate_selectors(&mut self, origin: &dyn Fn(&str) -> String) -> Vec<String> {
        let mut errors = Vec::new();
        for (key, selectors) in [
            ("select", &mut self.select),
            ("ignore", &mut self.ignore),
            ("extend-select", &mut self.extend_select),
            ("extend-ignore", &mut self.extend_ignore),
        ] {
            let Some(list) = selectors else { continue };
            let before = errors.len();
            *list = std::mem::take(list)
                .into_iter()
                .filter_map(|raw| match selector::parse(&raw) {
                    Ok(canonical) => Some(canonical),
                    Err(error) => {
                        errors.push(error.describe(&origin(key)));
                        None
                    }
                })
                .collect();
            // A key whose every entry was wrong is dropped as a whole: `select = ["LOOOP"]`
            // must fall back to the default rules, not select none.
            if list.is_empty() && errors.len() > before {
                *selectors = None;
            }
        }
        // `per-file-ignores` codes are ignore selectors: a typo is an error, never a
        // silently wider ignore.
        for (pattern, codes) in self.per_file_ignores.iter_mut().flatten() {
            let key = format!("per-file-ignores \"{pattern}\"");
            *codes = std::mem::take(codes)
                .into_iter()
                .filter_map(|raw| match selector::parse(&raw) {
                    Ok(canonical) => Some(canonical),
                    Err(error) => {
                        errors.push(error.describe(&origin(&key)));
                        None
                    }
                })
                .collect();
        }
        errors
    }
}

/// A lower layer's extension list followed by `over`'s, or only `over`'s when `over`
/// selects afresh.
fn extended(
    under: &Option<Vec<String>>,
    over: &ConfigLayer,
    field: fn(&ConfigLayer) -> &Option<Vec<String>>,
) -> Option<Vec<String>> {
    let over_list = field(over);
    if over.select.is_some() {
        return over_list.clone();
    }
    match (under, over_list) {
        (Some(under), Some(over)) => Some(under.iter().chain(over).cloned().collect()),
        (under, over) => over.clone().or_else(|| under.clone()),
    }
}

/// What the user's own editor says: the analysis settings, plus the choices about what
/// runs, which only the user (never the project) makes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EditorSettings {
    pub layer: ConfigLayer,
    /// The `python` setting: the interpreter argv hosts run under.
    pub python: Option<PythonSetting>,
    /// `trustedWorkspace`: the client says the user trusts the workspace, so its
    /// `.venv/bin/python` may run. `None` when this message did not say (a later
    /// `didChangeConfiguration` without it keeps the earlier answer).
    pub trusted_workspace: Option<bool>,
}

impl EditorSettings {
    /// Reads editor settings: `initializationOptions` or `didChangeConfiguration`'s
    /// `settings`, either `{"asyncell": {...}}` or the section itself, with
    /// `trustedWorkspace` beside the section or inside it. Unknown keys are ignored here
    /// (editors send their own), but wrong types are reported.
    pub fn from_json(value: &serde_json::Value) -> Result<EditorSettings, String> {
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "camelCase")]
        struct Editor {
            #[serde(rename = "loop")]
            loop_mode: Option<LoopMode>,
            target: Option<Target>,
            target_version: Option<PythonVersion>,
            select: Option<Vec<String>>,
            ignore: Option<Vec<String>>,
            rule_url_base: Option<String>,
            python: Option<PythonSetting>,
            trusted_workspace: Option<bool>,
        }
        let section = value.get("asyncell").unwrap_or(value);
        // Lua clients encode an empty table as `[]`: no settings, not a type error.
        let section = match section {
            serde_json::Value::Array(items) if items.is_empty() => &serde_json::Value::Null,
            section => section,
        };
        let outer_trust = match value.get("trustedWorkspace") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Bool(trusted)) => Some(*trusted),
            Some(other) => {
                return Err(format!(
                "invalid asyncell settings: `trustedWorkspace` must be true or false, not {other}"
            ))
            }
        };
        if section.is_null() {
            return Ok(EditorSettings {
                trusted_workspace: outer_trust,
                ..EditorSettings::default()
            });
        }
        let editor: Editor = serde_json::from_value(section.clone())
            .map_err(|e| format!("invalid asyncell settings: {e}"))?;
        Ok(EditorSettings {
            layer: ConfigLayer {
                loop_mode: editor.loop_mode,
                target: editor.target,
                target_version: editor.target_version,
                select: editor.select,
                ignore: editor.ignore,
                rule_url_base: editor.rule_url_base,
                ..ConfigLayer::default()
            },
            python: editor
                .python
                .filter(|p| !matches!(p, PythonSetting::Path(s) if s.is_empty())),
            trusted_workspace: outer_trust.or(editor.trusted_workspace),
        })
    }
}

/// Where an editor setting came from, for messages: `the editor setting asyncell.select`.
pub fn editor_origin(key: &str) -> String {
    format!("the editor setting asyncell.{key}")
}

/// A selector error as the language server shows it: it goes on without the selector.
pub fn selector_ignored(error: String) -> String {
    format!("{error} (this selector is ignored until the configuration is fixed)")
}

/// Where discovery stops walking up from a document.
#[derive(Clone, Copy, Debug)]
pub enum SearchLimit<'a> {
    /// The language server: at the workspace root (inclusive). A document outside the
    /// root is searched as [`SearchLimit::Repository`].
    Workspace(&'a Path),
    /// The CLI (and documents outside any workspace): at the first directory that holds
    /// `.git` (inclusive), else up to `/`.
    Repository,
}

/// The directories discovery looks in, nearest first.
pub fn search_dirs<'p>(start: &'p Path, limit: SearchLimit<'_>) -> Vec<&'p Path> {
    let mut dirs = Vec::new();
    let root = match limit {
        SearchLimit::Workspace(root) if start.starts_with(root) => Some(root),
        _ => None,
    };
    for dir in start.ancestors() {
        dirs.push(dir);
        let last = match root {
            Some(root) => dir == root,
            None => dir.join(".git").exists(),
        };
        if last {
            break;
        }
    }
    dirs
}

/// The nearest pyproject.toml at or above `start` (a file or directory), within `limit`,
/// that configures asyncell: as in Ruff, a pyproject.toml without a `[tool.asyncell]`
/// table (a sub-package's, say) does not hide its parent's configuration. A file that
/// cannot be judged (unreadable, invalid TOML, another user's) counts as configuring, so
/// that its problem is reported rather than skipped.
pub fn find_pyproject(start: &Path, limit: SearchLimit<'_>) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?
    } else {
        start
    };
    search_dirs(start, limit)
        .into_iter()
        .map(|dir| dir.join("pyproject.toml"))
        .find(|p| p.is_file() && configures_asyncell(p))
}

fn configures_asyncell(pyproject: &Path) -> bool {
    if foreign_owner(pyproject).is_some() {
        return true;
    }
    let Ok(text) = std::fs::read_to_string(pyproject) else {
        return true;
    };
    #[derive(Deserialize)]
    struct Pyproject {
        tool: Option<BTreeMap<String, serde::de::IgnoredAny>>,
    }
    match toml::from_str::<Pyproject>(&text) {
        Ok(parsed) => parsed
            .tool
            .is_some_and(|tools| tools.contains_key("asyncell")),
        Err(_) => true,
    }
}

/// The project's root for its `.venv`, as `uv run` finds it: the directory of the
/// nearest pyproject.toml within `limit`, else the repository root (`.git`).
pub fn project_root(start: &Path, limit: SearchLimit<'_>) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?
    } else {
        start
    };
    let dirs = search_dirs(start, limit);
    dirs.iter()
        .find(|dir| dir.join("pyproject.toml").is_file())
        .or_else(|| dirs.iter().find(|dir| dir.join(".git").exists()))
        .map(|dir| dir.to_path_buf())
}

/// The user id that owns `path` (not following a final symlink) when that is neither the
/// current user nor root: such a file is someone else's to configure, not ours to obey.
/// Root is trusted because it can change any file anyway.
pub fn foreign_owner(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        let uid = std::fs::symlink_metadata(path).ok()?.uid();
        (uid != me && uid != 0).then_some(uid)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Something about a project's configuration the user should be told, though it is not
/// an error: what was left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConfigNotice {
    /// `python` in `[tool.asyncell]`: ignored, since configuration never chooses what runs.
    PythonIgnored { pyproject: PathBuf },
    /// A pyproject.toml that another user owns (or whose directory they own): not read.
    ForeignOwner { pyproject: PathBuf, uid: u32 },
}

/// Which front end a message is for: each says where its own settings live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrontEnd {
    Cli,
    Editor,
}

impl ConfigNotice {
    pub fn message(&self, front: FrontEnd) -> String {
        match self {
            ConfigNotice::PythonIgnored { pyproject } => {
                let instead = match front {
                    FrontEnd::Cli => {
                        "pass `--python` or activate a virtualenv ($VIRTUAL_ENV); \
                                      `asyncell run` also uses the project's own `.venv`"
                    }
                    FrontEnd::Editor => {
                        "set `asyncell.python` in your editor's user settings \
                                         (or `python` in initializationOptions), or trust the \
                                         workspace to use its `.venv`"
                    }
                };
                format!(
                    "{}: ignored `python` in [tool.asyncell]: a project's configuration cannot \
                     choose the program that runs; to choose the interpreter, {instead}",
                    pyproject.display()
                )
            }
            ConfigNotice::ForeignOwner { pyproject, uid } => format!(
                "{}: not read: it is owned by another user (uid {uid}), so its settings are not \
                 yours; copy what you need into a pyproject.toml of your own",
                pyproject.display()
            ),
        }
    }
}

/// A pyproject.toml's configuration and what the user should be told about it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProjectConfig {
    pub layer: ConfigLayer,
    pub notices: Vec<ConfigNotice>,
}

impl ProjectConfig {
    /// The layer, after printing the notices as CLI warnings on stderr.
    pub fn warn_on_stderr(self) -> ConfigLayer {
        for notice in &self.notices {
            eprintln!("warning: {}", notice.message(FrontEnd::Cli));
        }
        self.layer
    }
}

/// The `[tool.asyncell]` table of a pyproject.toml, or an error naming the file and the
/// problem. A file that another user owns, or that sits in a directory another user owns,
/// is not read at all.
pub fn read_pyproject(path: &Path) -> Result<ProjectConfig, String> {
    let owner = foreign_owner(path).or_else(|| path.parent().and_then(foreign_owner));
    if let Some(uid) = owner {
        return Ok(ProjectConfig {
            layer: ConfigLayer::default(),
            notices: vec![ConfigNotice::ForeignOwner {
                pyproject: path.to_path_buf(),
                uid,
            }],
        });
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let (layer, had_python) =
        parse_project(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let notices = if had_python {
        vec![ConfigNotice::PythonIgnored {
            pyproject: path.to_path_buf(),
        }]
    } else {
        Vec::new()
    };
    Ok(ProjectConfig { layer, notices })
}

/// The `[tool.asyncell]` table of a pyproject.toml's text (a `python` key dropped).
pub fn parse_pyproject(text: &str) -> Result<ConfigLayer, String> {
    parse_project(text).map(|(layer, _)| layer)
}

/// The layer, and whether the table had a `python` key (which is left out of it).
fn parse_project(text: &str) -> Result<(ConfigLayer, bool), String> {
    /// Only `[tool.asyncell]` is kept: the rest of the file (often hundreds of lines of
    /// other tools' settings) is checked as TOML but never built into values.
    #[derive(Deserialize)]
    struct Pyproject {
        tool: Option<Tools>,
        project: Option<Project>,
    }
    #[derive(Deserialize)]
    struct Tools {
        asyncell: Option<toml::Value>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    struct Project {
        requires_python: Option<toml::Value>,
    }
    let pyproject: Pyproject = toml::from_str(text).map_err(|e| format!("invalid TOML: {e}"))?;
    // What `requires-python` says is the target version unless the table names one: a
    // project checked for the oldest Python it admits, as Ruff does. A specifier that
    // gives no lower bound (or is not a string) leaves the default.
    let requires_python = pyproject
        .project
        .and_then(|project| project.requires_python)
        .and_then(|spec| spec.as_str().and_then(PythonVersion::from_requires_python));
    let Some(mut section) = pyproject.tool.and_then(|tool| tool.asyncell) else {
        return Ok((
            ConfigLayer {
                target_version: requires_python,
                ..ConfigLayer::default()
            },
            false,
        ));
    };
    let had_python = section
        .as_table_mut()
        .is_some_and(|table| table.remove("python").is_some());
    let mut layer: ConfigLayer = section
        .try_into()
        .map_err(|e| format!("invalid [tool.asyncell]: {e}"))?;
    layer.target_version = layer.target_version.or(requires_python);
    Ok((layer, had_python))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::rules::Rule;

    #[test]
    fn later_layers_override_earlier_ones() {
        let file =
            parse_pyproject("[tool.asyncell]\nloop = \"trio\"\nignore = [\"LOOP201\"]\n").unwrap();
        let editor =
            EditorSettings::from_json(&serde_json::json!({"asyncell": {"loop": "asyncio"}}))
                .unwrap();
        let merged = file.merged(&editor.layer);
        assert_eq!(merged.loop_mode, Some(LoopMode::Asyncio));
        assert_eq!(merged.settings().ignore, ["LOOP201"]);
    }

    #[test]
    fn a_later_select_overrides_an_earlier_ignore() {
        let file = parse_pyproject("[tool.asyncell]\nignore = [\"LOOP300\"]\n").unwrap();
        let cli = ConfigLayer {
            select: Some(vec!["LOOP300".into()]),
            ..ConfigLayer::default()
        };
        assert!(file.merged(&cli).settings().is_enabled(Rule::Loop300));
        let editor = ConfigLayer::default();
        assert!(!file.merged(&editor).settings().is_enabled(Rule::Loop300));
    }

    #[test]
    fn bad_values_are_named() {
        let error = parse_pyproject("[tool.asyncell]\nloop = \"uvloop\"\n").unwrap_err();
        assert!(error.contains("uvloop"), "{error}");
        let python =
            EditorSettings::from_json(&serde_json::json!({"python": ["ssh", "box", "python3"]}))
                .unwrap();
        assert_eq!(python.python.unwrap().argv(), ["ssh", "box", "python3"]);
    }

    #[test]
    fn rule_options_come_from_pyproject_and_unknown_keys_are_named() {
        let file = parse_pyproject(
            "[tool.asyncell]\nstartable-in-context-manager = [\"serve\"]\n\
             [tool.asyncell.blocking-calls]\n\"mylib.fetch\" = \"mylib.async_fetch\"\n",
        )
        .unwrap();
        let options = file.settings().options;
        assert_eq!(options.startable_in_context_manager, ["serve"]);
        assert_eq!(options.blocking_calls["mylib.fetch"], "mylib.async_fetch");
        let error = parse_pyproject("[tool.asyncell]\nblocking-call = {}\n").unwrap_err();
        assert!(error.contains("blocking-call"), "{error}");
    }

    #[test]
    fn selectors_are_canonicalised_and_bad_ones_removed_and_named() {
        let mut layer =
            parse_pyproject("[tool.asyncell]\nselect = [\"loop3\", \"LOOOP\"]\nignore = [\"\"]\n")
                .unwrap();
        let errors =
            layer.validate_selectors(&|key| format!("/x/pyproject.toml [tool.asyncell] {key}"));
        assert_eq!(
            errors,
            [
                "unknown rule selector `LOOOP` in /x/pyproject.toml [tool.asyncell] select; \
                 did you mean `LOOP`?",
                "empty rule selector in /x/pyproject.toml [tool.asyncell] ignore; remove it \
                 (a stray comma?): an empty selector would match every rule",
            ]
        );
        assert_eq!(layer.select.as_deref(), Some(&["LOOP3".to_string()][..]));
        assert_eq!(layer.ignore, None);
    }

    #[test]
    fn the_target_version_comes_from_the_table_else_from_requires_python() {
        let inferred =
            parse_pyproject("[project]\nrequires-python = \">=3.12\"\n[tool.asyncell]\n").unwrap();
        assert_eq!(inferred.target_version, Some(PythonVersion::Py312));
        let named = parse_pyproject(
            "[project]\nrequires-python = \">=3.12\"\n[tool.asyncell]\ntarget-version = \"py311\"\n",
        )
        .unwrap();
        assert_eq!(named.target_version, Some(PythonVersion::Py311));
        let unbounded = parse_pyproject("[project]\nrequires-python = \"<4\"\n").unwrap();
        assert_eq!(unbounded.settings().target_version, PythonVersion::Py310);
        let error = parse_pyproject("[tool.asyncell]\ntarget-version = \"py39\"\n").unwrap_err();
        assert!(error.contains("py39"), "{error}");
    }

    #[test]
    fn a_project_cannot_name_the_interpreter() {
        let (layer, had_python) = parse_project(
            "[tool.asyncell]\npython = [\"sh\", \"-c\", \"touch x\"]\nloop = \"trio\"\n",
        )
        .unwrap();
        assert!(had_python);
        assert_eq!(layer.loop_mode, Some(LoopMode::Trio));
        let message = ConfigNotice::PythonIgnored {
            pyproject: "/p/pyproject.toml".into(),
        }
        .message(FrontEnd::Editor);
        assert!(message.contains("asyncell.python"), "{message}");
    }

    #[test]
    fn trust_is_read_beside_or_inside_the_section() {
        let beside = serde_json::json!({"asyncell": {"loop": "trio"}, "trustedWorkspace": true});
        assert_eq!(
            EditorSettings::from_json(&beside)
                .unwrap()
                .trusted_workspace,
            Some(true)
        );
        let inside = serde_json::json!({"trustedWorkspace": false});
        assert_eq!(
            EditorSettings::from_json(&inside)
                .unwrap()
                .trusted_workspace,
            Some(false)
        );
        let unsaid = serde_json::json!({"asyncell": {}});
        assert_eq!(
            EditorSettings::from_json(&unsaid)
                .unwrap()
                .trusted_workspace,
            None
        );
        let wrong = serde_json::json!({"trustedWorkspace": "yes"});
        assert!(EditorSettings::from_json(&wrong).is_err());
    }

    #[test]
    fn discovery_stops_at_the_workspace_root_and_at_git() {
        let top = tempfile::tempdir().unwrap();
        let root = top.path().join("ws");
        let deep = root.join("a").join("b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(top.path().join("pyproject.toml"), "[tool.asyncell]\n").unwrap();
        assert_eq!(find_pyproject(&deep, SearchLimit::Workspace(&root)), None);
        std::fs::create_dir(root.join(".git")).unwrap();
        assert_eq!(find_pyproject(&deep, SearchLimit::Repository), None);
        std::fs::write(root.join("pyproject.toml"), "[project]\nname = \"ws\"\n").unwrap();
        assert_eq!(
            find_pyproject(&deep, SearchLimit::Repository),
            None,
            "a pyproject.toml without [tool.asyncell] configures nothing"
        );
        std::fs::write(root.join("pyproject.toml"), "[tool.asyncell]\n").unwrap();
        assert_eq!(
            find_pyproject(&deep, SearchLimit::Repository),
            Some(root.join("pyproject.toml"))
        );
        assert_eq!(project_root(&deep, SearchLimit::Repository), Some(root));
    }
}
