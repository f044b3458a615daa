//! Rule selectors (`select`/`ignore` entries) checked against the rule catalogue, so a
//! typo is an error rather than a silently empty selection.
//!
//! A valid selector is `ALL`, a rule code (`LOOP300`) or a prefix of one or more codes
//! (`LOOP`, `LOOP3`, `ASYNC9`). Selectors are case-insensitive: `loop300` is `LOOP300`
//! (Ruff rejects lower case; accepting it costs nothing and a typed `--select loop300`
//! means what it says). Surrounding whitespace (`--select "LOOP, ASYNC"`) is dropped.

use std::fmt;

use super::rules::{Rule, RuleSet};

/// Why a selector was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SelectorError {
    /// `""`, or only whitespace (`--ignore ''`, a stray comma in `select = ["LOOP", ""]`).
    Empty,
    /// Matches no rule code. `suggestions` are the nearest selectors, best first.
    Unknown {
        selector: String,
        suggestions: Vec<String>,
    },
}

impl SelectorError {
    /// The message for a selector found in `origin` (`--select`,
    /// `/x/pyproject.toml [tool.asyncell] select`): the problem, then what to do.
    pub fn describe(&self, origin: &str) -> String {
        match self {
            SelectorError::Empty => format!(
                "empty rule selector in {origin}; remove it (a stray comma?): an empty \
                 selector would match every rule"
            ),
            SelectorError::Unknown {
                selector,
                suggestions,
            } => {
                let hint = match suggestions.as_slice() {
                    [] => match family_of(selector) {
                        Some((family, codes)) => {
                            // Twelve codes are enough to show the numbering.
                            let more = if codes.len() > 12 { ", ..." } else { "" };
                            format!(
                                "the {family} rules are {}{more}; `asyncell rule --all` \
                                 lists every rule",
                                codes[..codes.len().min(12)].join(", ")
                            )
                        }
                        None => "selectors are `ALL`, a rule code or a code prefix such as \
                                 `LOOP` or `ASYNC9`; `asyncell rule --all` lists the rules"
                            .to_string(),
                    },
                    [one] => format!("did you mean `{one}`?"),
                    many => {
                        let listed: Vec<String> = many.iter().map(|s| format!("`{s}`")).collect();
                        format!("did you mean one of {}?", listed.join(", "))
                    }
                };
                format!("unknown rule selector `{selector}` in {origin}; {hint}")
            }
        }
    }
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe("the configuration"))
    }
}

/// For a selector that starts like a rule family (`LOOP999`): the family and its codes.
fn family_of(selector: &str) -> Option<(String, Vec<&'static str>)> {
    let upper = selector.to_ascii_uppercase();
    let family = upper.trim_end_matches(|c: char| !c.is_ascii_alphabetic());
    if family.is_empty() || family.len() == upper.len() {
        return None;
    }
    let codes: Vec<&'static str> = Rule::ALL
        .iter()
        .map(|rule| rule.code())
        .filter(|code| {
            code.strip_prefix(family)
                .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    (!codes.is_empty()).then(|| (family.to_string(), codes))
}

/// Whether a canonical selector (`ALL`, a code, a code prefix) matches `rule`.
pub fn selects(selector: &str, rule: Rule) -> bool {
    selector == "ALL" || rule.code().starts_with(selector)
}

/// The rules a canonical selector matches.
pub fn rules(selector: &str) -> RuleSet {
    if selector == "ALL" {
        RuleSet::all()
    } else {
        RuleSet::with_prefix(selector)
    }
}

/// The canonical form of `raw` (trimmed, upper case), or why it selects nothing.
pub fn parse(raw: &str) -> Result<String, SelectorError> {
    let selector = raw.trim().to_ascii_uppercase();
    if selector.is_empty() {
        return Err(SelectorError::Empty);
    }
    if !rules(&selector).is_empty() {
        return Ok(selector);
    }
    Err(SelectorError::Unknown {
        suggestions: close_matches(&selector),
        selector: raw.trim().to_string(),
    })
}

/// At most five selectors within a small edit distance of `selector`: rule codes and
/// the prefixes users write (`LOOP`, `ASYNC9`, `LOOP30`).
fn close_matches(selector: &str) -> Vec<String> {
    let mut candidates: Vec<String> = Rule::ALL
        .iter()
        .flat_map(|rule| {
            let code = rule.code();
            let letters = code.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            (letters..=code.len()).map(|end| code[..end].to_string())
        })
        .collect();
    candidates.sort();
    candidates.dedup();
    // One edit in four characters: `LOOOP` → `LOOP`, `ASYNC1O5` → `ASYNC105`, but
    // `ZZZ999` is near nothing.
    let limit = (selector.len() / 4).max(1);
    // Ranked by distance, then by how close in length: `LOOP2O0` suggests `LOOP200`,
    // not also its prefix `LOOP20`.
    let mut near: Vec<((usize, usize), String)> = candidates
        .into_iter()
        .map(|candidate| {
            let distance = edit_distance(selector, &candidate);
            let length_gap = selector.len().abs_diff(candidate.len());
            ((distance, length_gap), candidate)
        })
        .filter(|((distance, _), _)| *distance <= limit)
        .collect();
    near.sort();
    let best = near.first().map(|(rank, _)| *rank);
    near.into_iter()
        .filter(|(rank, _)| Some(*rank) == best)
        .map(|(_, candidate)| candidate)
        .take(5)
        .collect()
}

/// Levenshtein distance over bytes (selectors are ASCII once upper-cased).
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, &x) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, &y) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(x != y);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_prefixes_and_all_are_accepted_in_any_case() {
        assert_eq!(parse("LOOP300"), Ok("LOOP300".into()));
        assert_eq!(parse("loop300"), Ok("LOOP300".into()));
        assert_eq!(parse(" LOOP3 "), Ok("LOOP3".into()));
        assert_eq!(parse("ASYNC9"), Ok("ASYNC9".into()));
        assert_eq!(parse("all"), Ok("ALL".into()));
    }

    #[test]
    fn empty_and_unknown_selectors_are_refused_with_close_matches() {
        assert_eq!(parse(""), Err(SelectorError::Empty));
        assert_eq!(parse("  "), Err(SelectorError::Empty));
        assert_eq!(
            parse("LOOOP").unwrap_err().describe("--select"),
            "unknown rule selector `LOOOP` in --select; did you mean `LOOP`?"
        );
        assert!(parse("ZZZ999")
            .unwrap_err()
            .describe("--select")
            .starts_with("unknown rule selector `ZZZ999` in --select; selectors are `ALL`"));
        assert!(parse("LOOP999")
            .unwrap_err()
            .describe("--ignore")
            .contains("; the LOOP rules are LOOP100, LOOP101, LOOP102, LOOP200,"));
        let SelectorError::Unknown { suggestions, .. } = parse("LOOP309").unwrap_err() else {
            panic!("LOOP309 is no rule");
        };
        assert!(
            suggestions.contains(&"LOOP300".to_string()),
            "{suggestions:?}"
        );
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("LOOOP", "LOOP"), 1);
        assert_eq!(edit_distance("LOOP", "LOOP"), 0);
        assert_eq!(edit_distance("", "ABC"), 3);
        assert_eq!(edit_distance("ASYNC1O5", "ASYNC105"), 1);
    }
}
