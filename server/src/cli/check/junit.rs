//! `junit`: a JUnit XML report, which CI systems (GitLab, Jenkins, Azure, GitHub test
//! reporters) show as test results. Each checked file is a test suite: a failed test
//! case per finding, or one passing case when it has none; a file that could not be
//! checked has one case with an `<error>`.

use std::path::PathBuf;

use rustc_hash::FxHashMap;

use super::emit::Report;
use super::finding::{shown_path, Finding};

/// The test case a file with no findings passes.
const PASSING_CASE: &str = "asyncell check";

pub fn report(report: &Report) -> String {
    enum Suite<'a> {
        Findings(Vec<&'a Finding>),
        Failed(&'a str),
    }
    let mut by_path: FxHashMap<&PathBuf, Vec<&Finding>> = FxHashMap::default();
    for finding in report.findings {
        by_path.entry(&finding.path).or_default().push(finding);
    }
    let mut suites: Vec<(String, Suite)> = Vec::new();
    for path in report.checked {
        let findings = by_path.remove(path).unwrap_or_default();
        suites.push((shown_path(path), Suite::Findings(findings)));
    }
    for (path, error) in report.failed {
        suites.push((shown_path(path), Suite::Failed(error)));
    }
    suites.sort_by(|a, b| a.0.cmp(&b.0));

    let count = |suite: &Suite| match suite {
        Suite::Findings(findings) => (findings.len().max(1), findings.len(), 0),
        Suite::Failed(_) => (1, 0, 1),
    };
    let (tests, failures, errors) = suites.iter().fold((0, 0, 0), |sum, (_, suite)| {
        let (t, f, e) = count(suite);
        (sum.0 + t, sum.1 + f, sum.2 + e)
    });
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    xml.push_str(&format!(
        "<testsuites name=\"asyncell\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n"
    ));
    for (path, suite) in &suites {
        let (t, f, e) = count(suite);
        let path = escape(path);
        xml.push_str(&format!(
            "  <testsuite name=\"{path}\" tests=\"{t}\" failures=\"{f}\" errors=\"{e}\">\n"
        ));
        match suite {
            Suite::Findings(findings) if findings.is_empty() => xml.push_str(&format!(
                "    <testcase name=\"{PASSING_CASE}\" classname=\"{path}\" file=\"{path}\"/>\n"
            )),
            Suite::Findings(findings) => {
                for finding in findings {
                    xml.push_str(&case(finding, &path));
                }
            }
            Suite::Failed(error) => xml.push_str(&format!(
                "    <testcase name=\"{PASSING_CASE}\" classname=\"{path}\" file=\"{path}\">\n      \
                 <error message=\"{}\"/>\n    </testcase>\n",
                escape(error)
            )),
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

fn case(finding: &Finding, path: &str) -> String {
    let (position, line) = match finding.cell_location() {
        Some(cell) => (cell, String::new()),
        None => (
            format!("{}:{}", finding.start.row, finding.start.column),
            format!(" line=\"{}\"", finding.start.row),
        ),
    };
    format!(
        "    <testcase name=\"{code} ({position})\" classname=\"{path}\" file=\"{path}\"{line}>\n      \
         <failure message=\"{message}\" type=\"{code}\">{path}:{position}: {code} {message}</failure>\n    \
         </testcase>\n",
        code = finding.code,
        message = escape(&finding.message),
    )
}

/// Text for an XML attribute or element: markup characters as entities, and characters
/// XML 1.0 cannot hold at all (most control characters) as U+FFFD.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                escaped.push('\u{fffd}')
            }
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_control_characters_are_escaped() {
        assert_eq!(
            escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{fffd}"
        );
    }
}
