//! What the user configured: loop mode, target semantics and rule selection.

use serde::{Deserialize, Serialize};

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
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
}

impl Settings {
    /// Whether a rule runs: selected (explicitly, or by default) and not ignored. The
    /// longest matching prefix wins, so `--select LOOP --ignore LOOP3 --select LOOP300`
    /// style combinations behave as users expect from Ruff.
    pub fn is_enabled(&self, code: &str, default_on: bool) -> bool {
        let longest = |prefixes: &[String]| {
            prefixes
                .iter()
                .filter(|p| prefix_matches(p, code))
                .map(|p| p.len())
                .max()
        };
        let selected = match &self.select {
            Some(select) => longest(select),
            None => default_on.then_some(0),
        };
        let ignored = longest(&self.ignore);
        match (selected, ignored) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            (None, _) => false,
        }
    }
}

fn prefix_matches(prefix: &str, code: &str) -> bool {
    prefix == "ALL" || code.starts_with(prefix)
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
        assert!(settings.is_enabled("LOOP200", true));
        assert!(!settings.is_enabled("LOOP301", true));
        assert!(settings.is_enabled("LOOP300", true));
        assert!(!settings.is_enabled("ASYNC105", true));
    }

    #[test]
    fn default_off_rules_need_a_select() {
        let settings = Settings::default();
        assert!(!settings.is_enabled("ASYNC910", false));
        let all = Settings {
            select: Some(vec!["ALL".into()]),
            ..Settings::default()
        };
        assert!(all.is_enabled("ASYNC910", false));
    }
}
