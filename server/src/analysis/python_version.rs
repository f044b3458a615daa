//! The Python version code is checked for (`target-version`, Ruff's name and values):
//! what CPython accepts and what an API does at run time change between versions, and a
//! project that supports 3.10 must hear about 3.10's rules, not the machine's python.
//!
//! Unset, it comes from the configuring pyproject.toml's `requires-python` (its lower
//! bound, as Ruff reads it), else the oldest version asyncell supports: a finding that
//! holds on the oldest version is the one a library cannot ignore.

use serde::{Deserialize, Serialize};

/// A supported minor version of Python 3.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum PythonVersion {
    #[default]
    Py310,
    Py311,
    Py312,
    Py313,
    Py314,
}

impl PythonVersion {
    pub const ALL: [PythonVersion; 5] = [
        PythonVersion::Py310,
        PythonVersion::Py311,
        PythonVersion::Py312,
        PythonVersion::Py313,
        PythonVersion::Py314,
    ];
    pub const OLDEST: PythonVersion = PythonVersion::Py310;
    pub const NEWEST: PythonVersion = PythonVersion::Py314;

    /// The minor version: 10 for 3.10.
    pub fn minor(self) -> u32 {
        match self {
            PythonVersion::Py310 => 10,
            PythonVersion::Py311 => 11,
            PythonVersion::Py312 => 12,
            PythonVersion::Py313 => 13,
            PythonVersion::Py314 => 14,
        }
    }

    /// The supported version for Python 3.`minor`, if there is one.
    pub fn from_minor(minor: u32) -> Option<PythonVersion> {
        PythonVersion::ALL.into_iter().find(|v| v.minor() == minor)
    }

    /// `py310`, as configured.
    pub fn name(self) -> String {
        format!("py3{}", self.minor())
    }

    /// `3.10`, as written in messages.
    pub fn dotted(self) -> String {
        format!("3.{}", self.minor())
    }

    /// The oldest version `requires-python` (PEP 440 specifiers, e.g. `>=3.11,<4`,
    /// `~=3.12`, `==3.13.*`) admits, clamped to the supported range: a project that still
    /// admits 3.9 is checked as 3.10, one that needs 3.15 as 3.14. `None` when the
    /// specifier gives no lower bound on 3.x or cannot be read.
    pub fn from_requires_python(spec: &str) -> Option<PythonVersion> {
        let mut lowest: Option<(u32, u32)> = None;
        for clause in spec.split(',') {
            let clause = clause.trim();
            // Upper bounds and exclusions say nothing about the oldest version.
            if clause.starts_with('<') || clause.starts_with("!=") {
                continue;
            }
            let (_, version) = ["~=", "==", ">=", ">", "==="]
                .iter()
                .filter_map(|op| clause.strip_prefix(op).map(|rest| (*op, rest)))
                // `>=` before `>`, `===` after `==`: the longest operator that matches.
                .max_by_key(|(op, _)| op.len())?;
            if version.trim_start().starts_with('=') {
                return None;
            }
            let mut parts = version.trim().trim_end_matches(".*").split('.');
            let major: u32 = parts.next()?.trim().parse().ok()?;
            let minor: u32 = match parts.next() {
                Some(minor) => minor.trim().parse().ok()?,
                // `>=3`: any 3.x.
                None => 0,
            };
            if major != 3 {
                if major > 3 {
                    lowest = Some(lowest.map_or((major, minor), |l| l.max((major, minor))));
                }
                continue;
            }
            // `>3.11` admits 3.11.1: the minor is the bound for every operator.
            let bound = (3, minor);
            lowest = Some(lowest.map_or(bound, |l| l.max(bound)));
        }
        let (major, minor) = lowest?;
        if major > 3 {
            return Some(PythonVersion::NEWEST);
        }
        Some(
            PythonVersion::from_minor(minor).unwrap_or(if minor < PythonVersion::OLDEST.minor() {
                PythonVersion::OLDEST
            } else {
                PythonVersion::NEWEST
            }),
        )
    }
}

impl std::fmt::Display for PythonVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl std::str::FromStr for PythonVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        PythonVersion::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown target version `{s}`: expected py310, py311, py312, py313 or py314"
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for version in PythonVersion::ALL {
            assert_eq!(version.name().parse::<PythonVersion>(), Ok(version));
        }
        assert!("py39".parse::<PythonVersion>().is_err());
        assert!("3.11"
            .parse::<PythonVersion>()
            .unwrap_err()
            .contains("py311"));
    }

    #[test]
    fn requires_python_gives_its_lower_bound() {
        let from = PythonVersion::from_requires_python;
        assert_eq!(from(">=3.11"), Some(PythonVersion::Py311));
        assert_eq!(from(">= 3.12, <4"), Some(PythonVersion::Py312));
        assert_eq!(from("~=3.13"), Some(PythonVersion::Py313));
        assert_eq!(from("~=3.11.2"), Some(PythonVersion::Py311));
        assert_eq!(from("==3.12.*"), Some(PythonVersion::Py312));
        assert_eq!(from(">3.10"), Some(PythonVersion::Py310));
        assert_eq!(from(">=3.8"), Some(PythonVersion::Py310), "clamped up");
        assert_eq!(from(">=3.16"), Some(PythonVersion::Py314), "clamped down");
        assert_eq!(from(">=3.10,>=3.12"), Some(PythonVersion::Py312));
        assert_eq!(from("<4,!=3.11.0,>=3.11"), Some(PythonVersion::Py311));
        assert_eq!(from("<3.13"), None, "no lower bound");
        assert_eq!(from("not a specifier"), None);
        assert_eq!(from(""), None);
    }
}
