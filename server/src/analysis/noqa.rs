//! `# noqa` suppression comments, flake8 style: `# noqa` silences every code on its line,
//! `# noqa: LOOP200, ASYNC105` only those codes (or code prefixes).

use ruff_python_ast::token::{Token, TokenKind};
use ruff_text_size::{Ranged, TextRange, TextSize};

use super::diagnostic::{Diagnostic, Edit};
use super::rules::RuleSet;
use super::unit::Unit;

/// What a line's noqa comment suppresses.
#[derive(Debug, PartialEq, Eq)]
enum Directive<'a> {
    All,
    Codes(Vec<&'a str>),
}

fn directive(line: &str) -> Option<(usize, Directive<'_>)> {
    let lower = line.to_ascii_lowercase();
    let start = lower.find("# noqa").or_else(|| lower.find("#noqa"))?;
    let after = &line[start..];
    let after = &after[after.find(['a', 'A']).map_or(after.len(), |i| i + 1)..];
    let Some(codes) = after.trim_start().strip_prefix(':') else {
        return Some((start, Directive::All));
    };
    let codes: Vec<&str> = codes
        .split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|c| {
            c.starts_with(|ch: char| ch.is_ascii_uppercase())
                && c.chars().all(|ch| ch.is_ascii_alphanumeric())
        })
        .collect();
    if codes.is_empty() {
        Some((start, Directive::All))
    } else {
        Some((start, Directive::Codes(codes)))
    }
}

fn line_text(unit: &Unit, offset: TextSize) -> (TextRange, &str) {
    let line = unit.lines.line_of(offset);
    let start = unit.lines.line_start(line);
    let end = unit.lines.line_start(line + 1);
    let range = TextRange::new(start, end.max(start));
    let text = unit.text[range].trim_end_matches(['\n', '\r']);
    (TextRange::at(start, TextSize::of(text)), text)
}

/// The directive of the noqa comment on the line holding `offset`. Only comment tokens
/// count: `"# noqa"` inside a string suppresses nothing.
fn line_directive(unit: &Unit, offset: TextSize) -> Option<Directive<'_>> {
    let (range, _) = line_text(unit, offset);
    let tokens: &[Token] = unit.parsed.tokens();
    let first = tokens.partition_point(|token| token.start() < range.start());
    tokens[first..]
        .iter()
        .take_while(|token| token.start() < range.end())
        .filter(|token| token.kind() == TokenKind::Comment)
        .find_map(|token| directive(&unit.text[token.range()]).map(|(_, d)| d))
}

/// Whether a noqa comment on the diagnostic's first line suppresses it.
pub fn is_suppressed(unit: &Unit, diagnostic: &Diagnostic) -> bool {
    match line_directive(unit, diagnostic.range.start()) {
        None => false,
        Some(Directive::All) => true,
        Some(Directive::Codes(codes)) => codes
            .iter()
            .fold(RuleSet::EMPTY, |rules, code| {
                rules.union(RuleSet::with_prefix(code))
            })
            .contains(diagnostic.rule),
    }
}

/// The edit that suppresses `diagnostic` with a noqa comment: appends its code to an
/// existing `# noqa: ...` list, or adds `  # noqa: CODE` at the end of the line.
pub fn suppression_edit(unit: &Unit, diagnostic: &Diagnostic) -> Edit {
    let (range, _) = line_text(unit, diagnostic.range.start());
    match line_directive(unit, diagnostic.range.start()) {
        Some(Directive::Codes(_)) => {
            Edit::insert(range.end(), format!(", {}", diagnostic.rule.code()))
        }
        _ => Edit::insert(range.end(), format!("  # noqa: {}", diagnostic.rule.code())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_parse_like_flake8() {
        assert_eq!(directive("x  # noqa"), Some((3, Directive::All)));
        assert_eq!(
            directive("x  # NOQA:LOOP200,ASYNC105"),
            Some((3, Directive::Codes(vec!["LOOP200", "ASYNC105"])))
        );
        assert_eq!(
            directive("x  # noqa: LOOP2 because"),
            Some((3, Directive::Codes(vec!["LOOP2"])))
        );
        assert_eq!(directive("x = 1"), None);
    }
}
