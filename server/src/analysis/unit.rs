//! A unit of analysis: one notebook cell, one `# %%` cell, or one segment of a plain
//! script. Units are parsed independently, with offsets relative to their own text, so an
//! edit re-parses only the unit it touches and every other unit's tree stays valid.

use std::sync::Arc;

use ruff_python_ast::ModModule;
use ruff_python_parser::{Mode, ParseOptions, Parsed};

use super::facts::UnitFacts;
use crate::positions::LineIndex;

/// How a unit's text is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// Plain Python: scripts and percent-format cells (their magics are commented out).
    Python,
    /// IPython: notebook cells, where `%autoawait trio` and `!pip install x` are valid.
    Ipython,
}

#[derive(Debug)]
pub struct Unit {
    pub text: String,
    pub syntax: Syntax,
    pub parsed: Parsed<ModModule>,
    pub lines: LineIndex,
    pub facts: UnitFacts,
}

impl Unit {
    pub fn new(text: String, syntax: Syntax) -> Arc<Unit> {
        let mode = match syntax {
            Syntax::Python => Mode::Module,
            Syntax::Ipython => Mode::Ipython,
        };
        let parse = |mode: Mode| {
            std::panic::catch_unwind(|| {
                ruff_python_parser::parse_unchecked(&text, ParseOptions::from(mode))
                    .try_into_module()
            })
            .ok()
            .flatten()
        };
        // The parser can panic on malformed IPython input (ruff_python_parser 0.0.10
        // reaches `unreachable!` for `l(}\n,`, a stray autocall escape). A keystroke must
        // not take the server down: parse such a cell as plain Python, which reports its
        // syntax errors.
        let parsed = parse(mode)
            .or_else(|| {
                (mode != Mode::Module)
                    .then(|| parse(Mode::Module))
                    .flatten()
            })
            .unwrap_or_else(|| {
                // Module and IPython modes always produce a module; an empty one keeps
                // the unit usable should that ever change.
                ruff_python_parser::parse_unchecked("", ParseOptions::from(Mode::Module))
                    .try_into_module()
                    .expect("the empty module parses")
            });
        let lines = LineIndex::new(&text);
        let facts = UnitFacts::collect(&parsed, &text);
        Arc::new(Unit {
            text,
            syntax,
            parsed,
            lines,
            facts,
        })
    }

    /// Number of line breaks in the text: how many lines the next unit starts below this one.
    pub fn line_breaks(&self) -> u32 {
        u32::try_from(self.lines.line_count().saturating_sub(1)).unwrap_or(u32::MAX)
    }

    pub fn has_syntax_errors(&self) -> bool {
        !self.parsed.errors().is_empty()
    }
}
