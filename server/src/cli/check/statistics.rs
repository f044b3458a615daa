//! `--statistics`: how many findings each code has, most frequent first (ties in code
//! order), instead of the findings themselves: a table, or JSON with `--output-format
//! json`.
//!
//! ```text
//! 3  LOOP300  [*] unawaited-coroutine
//! 1  LOOP200      nested-loop-run
//! ```

use serde_json::{json, Value};

use super::finding::Finding;

struct Count {
    code: &'static str,
    name: Option<&'static str>,
    count: usize,
    fixable: bool,
}

fn counts(findings: &[Finding]) -> Vec<Count> {
    let mut counts: Vec<Count> = Vec::new();
    for finding in findings {
        match counts.iter_mut().find(|count| count.code == finding.code) {
            Some(count) => {
                count.count += 1;
                count.fixable |= finding.fixable;
            }
            None => counts.push(Count {
                code: finding.code,
                name: finding.rule_name,
                count: 1,
                fixable: finding.fixable,
            }),
        }
    }
    counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    counts
}

pub fn table(findings: &[Finding]) -> String {
    let counts = counts(findings);
    let count_width = counts
        .iter()
        .map(|count| count.count.to_string().len())
        .max()
        .unwrap_or(1);
    let code_width = counts
        .iter()
        .map(|count| count.code.len())
        .max()
        .unwrap_or(1);
    let any_fixable = counts.iter().any(|count| count.fixable);
    counts
        .iter()
        .map(|count| {
            let marker = match (count.fixable, any_fixable) {
                (true, _) => "[*] ",
                (false, true) => "    ",
                (false, false) => "",
            };
            let line = format!(
                "{:>count_width$}  {:<code_width$}  {marker}{}",
                count.count,
                count.code,
                count.name.unwrap_or_default()
            );
            line.trim_end().to_string() + "\n"
        })
        .collect()
}

pub fn json(findings: &[Finding]) -> String {
    let items: Vec<Value> = counts(findings)
        .iter()
        .map(|count| {
            json!({
                "code": count.code,
                "name": count.name,
                "count": count.count,
                "fixable": count.fixable,
            })
        })
        .collect();
    serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_default() + "\n"
}
