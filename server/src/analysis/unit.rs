//! A unit of analysis: one notebook cell, one `# %%` cell, or one segment of a plain
//! script. Units are parsed independently, with offsets relative to their own text, so an
//! edit re-parses only the unit it touches and every other unit's tree stays valid.

use std::sync::Arc;

use ruff_python_ast::ModModule;
use ruff_python_parser::{Mode, ParseOptions, Parsed};

use super::depth::with_parser_stack;
use super::facts::{Depth, UnitFacts};
use super::magics;
use super::teardown::{dismantle, DISMANTLE_DEPTH};
use crate::panics;
use crate::positions::LineIndex;

/// How a unit's text is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// Plain Python: scripts, where a magic is a syntax error.
    Python,
    /// IPython: notebook cells and `# %%` cells, where `%autoawait trio` and
    /// `!pip install x` are valid (the host runs them; LOOP102 reports those it does not).
    Ipython,
}

/// What went wrong inside the parser itself (a panic, caught): reported once, as E998.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParserFailure {
    /// IPython parsing failed; the unit was parsed as plain Python instead.
    FellBackToPython,
    /// No parse succeeded: the rules see an empty unit.
    Unparsed,
}

#[derive(Debug)]
pub struct Unit {
    pub text: String,
    pub syntax: Syntax,
    pub parsed: Parsed<ModModule>,
    pub lines: LineIndex,
    pub facts: UnitFacts,
    /// How deeply the tree nests (see [`depth`](super::depth)).
    pub depth: Depth,
    pub parser_failure: Option<ParserFailure>,
}

impl Unit {
    pub fn new(text: String, syntax: Syntax) -> Arc<Unit> {
        let mode = match syntax {
            Syntax::Python => Mode::Module,
            Syntax::Ipython => Mode::Ipython,
        };
        // The body of an unknown cell magic (`%%bash`) is not Python and never runs: the
        // parser sees the magic line only, with offsets unchanged.
        let masked = (syntax == Syntax::Ipython)
            .then(|| magics::unknown_cell_magic_body(&text))
            .flatten()
            .map(|from| magics::blank_after(&text, from));
        let source = masked.as_deref().unwrap_or(&text);
        let parse = |mode: Mode| {
            panics::catch(|| {
                with_parser_stack(source, || {
                    ruff_python_parser::parse_unchecked(source, ParseOptions::from(mode))
                        .try_into_module()
                })
            })
            .ok()
            .flatten()
        };
        // The parser can panic on malformed IPython input (ruff_python_parser 0.0.10
        // reaches `unreachable!` for `l(}\n,`, a stray autocall escape). A keystroke must
        // not take the server down: parse such a cell as plain Python, which reports its
        // syntax errors.
        let mut parser_failure = None;
        let parsed = match parse(mode) {
            Some(parsed) => parsed,
            None => {
                let fallback = (mode != Mode::Module)
                    .then(|| parse(Mode::Module))
                    .flatten();
                parser_failure = Some(if fallback.is_some() {
                    ParserFailure::FellBackToPython
                } else {
                    ParserFailure::Unparsed
                });
                fallback.unwrap_or_else(empty_module)
            }
        };
        let lines = LineIndex::new(&text);
        let (facts, depth) = UnitFacts::collect(&parsed, source);
        Arc::new(Unit {
            text,
            syntax,
            parsed,
            lines,
            facts,
            depth,
            parser_failure,
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

impl Drop for Unit {
    /// A deep tree's own drop glue would recurse once per level and overflow the stack:
    /// such a tree is taken apart level by level instead.
    fn drop(&mut self) {
        if self.depth.levels > DISMANTLE_DEPTH {
            let parsed = std::mem::replace(&mut self.parsed, empty_module());
            dismantle(parsed.into_syntax().body);
        }
    }
}

/// A parsed empty module.
fn empty_module() -> Parsed<ModModule> {
    ruff_python_parser::parse_unchecked("", ParseOptions::from(Mode::Module))
        .try_into_module()
        .expect("the empty module parses as a module")
}
