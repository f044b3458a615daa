//! Configuration sources, each overriding the previous one:
//! `[tool.asyncell]` in the nearest pyproject.toml, then the editor's settings
//! (`initializationOptions`, `workspace/didChangeConfiguration`), then CLI flags.

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::analysis::{selector, LoopMode, RuleOptions, Settings, Target};

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
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub python: Option<PythonSetting>,
    // Rule options, documented on [`RuleOptions`]. A layer that sets one replaces the
    // lower layer's value as a whole, like `select`.
    pub blocking_calls: Option<BTreeMap<String, String>>,
    pub startable_in_context_manager: Option<Vec<String>>,
    pub no_checkpoint_warning_decorators: Option<Vec<String>>,
    pub transform_async_generator_decorators: Option<Vec<String>>,
    pub exception_suppress_context_managers: Option<Vec<String>>,
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
            python: pick(&over.python, &self.python),
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
        }
    }

    pub fn settings(&self) -> Settings {
        Settings {
            loop_mode: self.loop_mode.unwrap_or_default(),
            target: self.target.unwrap_or_default(),
            select: self.select.clone(),
            ignore: self.ignore.clone().unwrap_or_default(),
            options: RuleOptions {
                blocking_calls: self.blocking_calls.clone().unwrap_or_default(),
                startable_in_context_manager: self
                    .startable_in_context_manager
                    .clone()
                    .unwrap_or_default(),
                no_checkpoint_warning_decorators: self
                    .no_checkpoint_warning_decorators
                    .clone()
                    .unwrap_or_default(),
                transform_async_generator_decorators: self
                    .transform_async_generator_decorators
                    .clone()
                    .unwrap_or_default(),
                exception_suppress_context_managers: self
                    .exception_suppress_context_managers
                    .clone()
                    .unwrap_or_default(),
            },
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
        for (key, selectors) in [("select", &mut self.select), ("ignore", &mut self.ignore)] {
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
        errors
    }

    /// Reads the `asyncell` section of editor settings (a JSON object). Unknown keys are
    /// ignored here (editors send their own), but wrong types are reported.
    pub fn from_editor_json(value: &serde_json::Value) -> Result<ConfigLayer, String> {
        #[derive(Deserialize, Default)]
        struct Editor {
            #[serde(rename = "loop")]
            loop_mode: Option<LoopMode>,
            target: Option<Target>,
            select: Option<Vec<String>>,
            ignore: Option<Vec<String>>,
            python: Option<PythonSetting>,
        }
        let section = value.get("asyncell").unwrap_or(value);
        if section.is_null() {
            return Ok(ConfigLayer::default());
        }
        let editor: Editor = serde_json::from_value(section.clone())
            .map_err(|e| format!("invalid asyncell settings: {e}"))?;
        Ok(ConfigLayer {
            loop_mode: editor.loop_mode,
            target: editor.target,
            select: editor.select,
            ignore: editor.ignore,
            python: editor
                .python
                .filter(|p| !matches!(p, PythonSetting::Path(s) if s.is_empty())),
            ..ConfigLayer::default()
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

/// The nearest pyproject.toml at or above `start` (a file or directory).
pub fn find_pyproject(start: &Path) -> Option<PathBuf> {
    let start = if start.is_file() {
        start.parent()?
    } else {
        start
    };
    start
        .ancestors()
        .map(|dir| dir.join("pyproject.toml"))
        .find(|p| p.is_file())
}

/// The `[tool.asyncell]` table of a pyproject.toml, or an error naming the file and the
/// problem.
pub fn read_pyproject(path: &Path) -> Result<ConfigLayer, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    parse_pyproject(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn parse_pyproject(text: &str) -> Result<ConfigLayer, String> {
    /// Only `[tool.asyncell]` is kept: the rest of the file (often hundreds of lines of
    /// other tools' settings) is checked as TOML but never built into values.
    #[derive(Deserialize)]
    struct Pyproject {
        tool: Option<Tools>,
    }
    #[derive(Deserialize)]
    struct Tools {
        asyncell: Option<toml::Value>,
    }
    let pyproject: Pyproject = toml::from_str(text).map_err(|e| format!("invalid TOML: {e}"))?;
    match pyproject.tool.and_then(|tool| tool.asyncell) {
        None => Ok(ConfigLayer::default()),
        Some(section) => section
            .try_into()
            .map_err(|e| format!("invalid [tool.asyncell]: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_override_earlier_ones() {
        let file =
            parse_pyproject("[tool.asyncell]\nloop = \"trio\"\nignore = [\"LOOP201\"]\n").unwrap();
        let editor =
            ConfigLayer::from_editor_json(&serde_json::json!({"asyncell": {"loop": "asyncio"}}))
                .unwrap();
        let merged = file.merged(&editor);
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
        assert!(file.merged(&cli).settings().is_enabled("LOOP300", true));
        let editor = ConfigLayer::default();
        assert!(!file.merged(&editor).settings().is_enabled("LOOP300", true));
    }

    #[test]
    fn bad_values_are_named() {
        let error = parse_pyproject("[tool.asyncell]\nloop = \"uvloop\"\n").unwrap_err();
        assert!(error.contains("uvloop"), "{error}");
        let python = ConfigLayer::from_editor_json(
            &serde_json::json!({"python": ["ssh", "box", "python3"]}),
        )
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
}
