//! `--output-format`, named as Ruff names its formats, and the default when none is
//! given: `full` on a terminal, `concise` elsewhere (pipes, pre-commit, scripts that read
//! today's one-line findings).

use std::io::IsTerminal;

use clap::ValueEnum;

/// Chooses the format when `--output-format` is not given.
pub const OUTPUT_FORMAT_ENV: &str = "ASYNCELL_OUTPUT_FORMAT";

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Each finding with its source line, a caret span under it and the fix (the default
    /// on a terminal).
    Full,
    /// One line per finding, `path:row:col: CODE message` (the default otherwise).
    #[value(alias = "text")]
    Concise,
    /// A JSON array of findings, in Ruff's shape.
    Json,
    /// One JSON object per finding per line.
    JsonLines,
    /// GitHub Actions workflow commands, shown as annotations on the pull request.
    Github,
    /// A GitLab Code Quality report.
    Gitlab,
    /// A SARIF 2.1.0 log (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// A JUnit XML report: one test suite per file, one failed test case per finding.
    Junit,
}

impl OutputFormat {
    /// The flag's value, else `$ASYNCELL_OUTPUT_FORMAT`, else `full` when stdout is a
    /// terminal and `concise` when it is not. A bad variable value is an error, as a bad
    /// flag value is: CI that sets it expects that format.
    pub fn resolve(flag: Option<OutputFormat>) -> Result<OutputFormat, String> {
        if let Some(format) = flag {
            return Ok(format);
        }
        match std::env::var(OUTPUT_FORMAT_ENV) {
            Ok(value) if !value.trim().is_empty() => OutputFormat::from_str(value.trim(), true)
                .map_err(|_| {
                    let shown: String = value.chars().take(40).collect();
                    format!(
                        "${OUTPUT_FORMAT_ENV} is {shown:?}, which is not an output format; \
                         use one of: {}",
                        OutputFormat::names().join(", ")
                    )
                }),
            _ if std::io::stdout().is_terminal() => Ok(OutputFormat::Full),
            _ => Ok(OutputFormat::Concise),
        }
    }

    fn names() -> Vec<String> {
        OutputFormat::value_variants()
            .iter()
            .filter_map(|format| format.to_possible_value())
            .map(|value| value.get_name().to_string())
            .collect()
    }

    /// Formats read by people, which end with the summary line on stderr. The others are
    /// read by programs; GitHub's commands are turned into annotations, so its log keeps
    /// the summary too.
    pub fn has_summary(self) -> bool {
        matches!(
            self,
            OutputFormat::Full | OutputFormat::Concise | OutputFormat::Github
        )
    }
}
