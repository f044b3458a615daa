//! What the user configured: loop mode, target semantics and rule selection.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::python_version::PythonVersion;
use super::rules::{Rule, RuleSet};
use super::selector;

/// Which event loop the cells of a document run on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoopMode {
    Trio,
    Asyncio,
    /// Decide from `%autoawait` lines and imports.
    #[default]
    Auto,
}

impl std::str::FromStr for LoopMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "trio" => Ok(LoopMode::Trio),
            "asyncio" => Ok(LoopMode::Asyncio),
            "auto" => Ok(LoopMode::Auto),
            other => Err(format!(
                "unknown loop `{other}`: expected trio, asyncio or auto"
            )),
        }
    }
}

/// Which runtime semantics cells follow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Every cell, sync or async, runs on one persistent loop.
    #[default]
    Asyncell,
    /// Stock IPython/ipykernel: cells without top-level await run outside the loop, and
    /// `%autoawait trio` runs a fresh `trio.run` per cell.
    Ipython,
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "asyncell" => Ok(Target::Asyncell),
            "ipython" => Ok(Target::Ipython),
            other => Err(format!(
                "unknown target `{other}`: expected asyncell or ipython"
            )),
        }
    }
}

/// The settings analysis needs. `select`/`ignore` hold codes or code prefixes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Settings {
    pub loop_mode: LoopMode,
    pub target: Target,
    /// The oldest Python the code must run on: CPython's legality rules and what removed
    /// or deprecated APIs do follow it.
    pub target_version: PythonVersion,
    pub select: Option<Vec<String>>,
    /// Selectors added to `select` (or to the default rules when `select` is unset), as
    /// Ruff's `extend-select`: a rule they match runs unless a longer `ignore` matches it.
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub options: RuleOptions,
    /// The top-level package the checked file belongs to (`trio` for
    /// `src/trio/_core/_run.py`), from [`package_of`]; `None` for a notebook, a script
    /// outside any package, or text without a path. Rules about a library's private
    /// internals stay quiet inside that library.
    pub package: Option<String>,
    /// `rule-url-base`: where rule pages live, for the links findings carry. Not used by
    /// the analysis itself; it travels with the settings so every front end links alike.
    pub rule_url_base: Option<String>,
}

/// Options that individual rules read. They carry flake8-async's option names (without
/// its `asyncNNN-` prefixes), so a flake8-async configuration translates key by key into
/// `[tool.asyncell]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct RuleOptions {
    /// ASYNC200: calls that block, each mapped to the call to use instead, e.g.
    /// `"mylib.fetch" = "mylib.async_fetch"`. Keys are `fnmatch` patterns, as in
    /// flake8-async: `*` matches any run of characters, dots included (`"*session.get"`).
    pub blocking_calls: BTreeMap<String, String>,
    /// ASYNC113/ASYNC114: functions, besides those with a `task_status` parameter, that
    /// must be started with `nursery.start` (compared by their last name component).
    pub startable_in_context_manager: Vec<String>,
    /// ASYNC910/ASYNC911 (and ASYNC124): decorators that exempt a function from the
    /// checkpoint rules, `fnmatch` patterns matched against the decorator as written and
    /// as resolved. Unset, `["asynccontextmanager"]`, flake8-async's default: a context
    /// manager's entry and exit need not checkpoint. A value replaces the default.
    pub no_checkpoint_warning_decorators: Vec<String>,
    /// ASYNC900: decorators that make an async generator safe (e.g.
    /// `contextlib.asynccontextmanager`, which is always accepted).
    pub transform_async_generator_decorators: Vec<String>,
    /// ASYNC91x: context managers that may swallow exceptions, so code after them is
    /// reachable without their body's checkpoints.
    pub exception_suppress_context_managers: Vec<String>,
}

/// flake8-async's default for `no-checkpoint-warning-decorators`. Matched with
/// `fnmatch` against the decorator as written, so `@asynccontextmanager` is exempt and
/// `@contextlib.asynccontextmanager` is not, exactly as in flake8-async.
pub const DEFAULT_NO_CHECKPOINT_WARNING_DECORATORS: &[&str] = &["asynccontextmanager"];

impl Default for RuleOptions {
    fn default() -> Self {
        RuleOptions {
            blocking_calls: BTreeMap::new(),
            startable_in_context_manager: Vec::new(),
            no_checkpoint_warning_decorators: DEFAULT_NO_CHECKPOINT_WARNING_DECORATORS
                .iter()
                .map(|d| d.to_string())
                .collect(),
            transform_async_generator_decorators: Vec::new(),
            exception_suppress_context_managers: Vec::new(),
        }
    }
}

/// The top-level package of a file: the outermost of the directories above it that hold
/// an `__init__.py` without a gap (`src/trio/_core/_run.py` → `trio`). The file's own
/// directory may be a plain directory inside a package (`trio/_tests/type_tests/x.py`,
/// test data); `None` when neither it nor its parent is a package.
pub fn package_of(path: &std::path::Path) -> Option<String> {
    let is_package = |directory: &std::path::Path| directory.join("__init__.py").is_file();
    let own = path.parent()?;
    let start = if is_package(own) {
        own
    } else {
        own.parent().filter(|parent| is_package(parent))?
    };
    let mut package = None;
    // Bounded: a path has finitely many ancestors, and no package nests 64 deep.
    for directory in start.ancestors().take(64) {
        if !is_package(directory) {
            break;
        }
        package = directory
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
    }
    package
}

impl Settings {
    /// The rules a check runs: every rule [`Settings::is_enabled`] accepts, computed
    /// once per check.
    pub fn enabled_rules(&self) -> RuleSet {
        Rule::ALL
            .iter()
            .copied()
            .filter(|rule| self.is_enabled(*rule))
            .collect()
    }

    /// Whether a rule runs: selected (explicitly, or by default) and not ignored. The
    /// longest matching prefix wins, so `--select LOOP --ignore LOOP3 --select LOOP300`
    /// style combinations behave as users expect from Ruff.
    ///
    /// An opt-in rule (off by default) needs a selector with a digit in it (`ASYNC910`,
    /// `ASYNC9`) or `ALL`: `select = ["ASYNC"]` keeps flake8-async's default set, just as
    /// flake8-async's 9xx rules need `--enable ASYNC9` on top of `--select ASYNC`.
    pub fn is_enabled(&self, rule: Rule) -> bool {
        let opt_in = !rule.default_enabled;
        let longest = |selectors: &[String], opt_in: bool| {
            selectors
                .iter()
                .filter(|s| selector::selects(s, rule))
                .filter(|s| !opt_in || *s == "ALL" || s.bytes().any(|b| b.is_ascii_digit()))
                .map(|s| s.len())
                .max()
        };
        let selected = match &self.select {
            Some(select) => longest(select, opt_in),
            None => rule.default_enabled.then_some(0),
        }
        .max(longest(&self.extend_select, opt_in));
        let ignored = longest(&self.ignore, false);
        match (selected, ignored) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_matching_prefix_decides() {
        let settings = Settings {
            select: Some(vec!["LOOP".into(), "LOOP300".into()]),
            ignore: vec!["LOOP3".into()],
            ..Settings::default()
        };
        assert!(settings.is_enabled(Rule::Loop200));
        assert!(!settings.is_enabled(Rule::Loop301));
        assert!(settings.is_enabled(Rule::Loop300));
        assert!(!settings.is_enabled(Rule::Async105));
    }

    #[test]
    fn extend_select_adds_to_the_selection_and_a_longer_ignore_still_wins() {
        let settings = Settings {
            extend_select: vec!["ASYNC910".into(), "LOOP3".into()],
            ignore: vec!["LOOP30".into()],
            ..Settings::default()
        };
        assert!(settings.is_enabled(Rule::Async910), "opt-in rule added");
        assert!(settings.is_enabled(Rule::Loop200), "defaults kept");
        assert!(
            !settings.is_enabled(Rule::Loop300),
            "the longer ignore wins"
        );
        let narrowed = Settings {
            select: Some(vec!["LOOP2".into()]),
            extend_select: vec!["LOOP300".into()],
            ..Settings::default()
        };
        assert!(narrowed.is_enabled(Rule::Loop300));
        assert!(!narrowed.is_enabled(Rule::Loop301));
    }

    #[test]
    fn default_off_rules_need_a_select() {
        let settings = Settings::default();
        assert!(!settings.is_enabled(Rule::Async910));
        let all = Settings {
            select: Some(vec!["ALL".into()]),
            ..Settings::default()
        };
        assert!(all.is_enabled(Rule::Async910));
    }

    #[test]
    fn a_bare_library_prefix_keeps_opt_in_rules_off() {
        let select = |codes: &[&str]| Settings {
            select: Some(codes.iter().map(|c| c.to_string()).collect()),
            ..Settings::default()
        };
        assert!(select(&["ASYNC"]).is_enabled(Rule::Async110));
        assert!(!select(&["ASYNC"]).is_enabled(Rule::Async910));
        assert!(select(&["ASYNC", "ASYNC9"]).is_enabled(Rule::Async910));
        assert!(select(&["ASYNC910"]).is_enabled(Rule::Async910));
        assert!(!select(&["ASYNC910"]).is_enabled(Rule::Async911));
    }
}
