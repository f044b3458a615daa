//! `is_complete_request` (the console's Enter key): whether the code is a complete
//! statement, needs more lines (with the indent to continue at), or cannot parse.
//! IPython syntax (magics, `!cmd`, `obj?`) parses as the host runs it.

use ruff_python_parser::{parse_unchecked, Mode, ParseOptions};

use crate::analysis::depth::with_parser_stack;
use serde_json::{json, Value};

use super::text;
use crate::kernel::connection::{Replier, Request};

pub async fn handle(replier: &Replier, request: &Request) {
    replier.reply(request, verdict(text(request, "code"))).await;
}

/// `{"status": "complete" | "incomplete" | "invalid", "indent"?}`.
pub fn verdict(code: &str) -> Value {
    if code.trim().is_empty() {
        return json!({"status": "complete"});
    }
    let open = open_constructs(code);
    let last = code
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("");
    let last_indent: String = last
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    if open.triple_string || open.brackets > 0 || open.backslash {
        return json!({"status": "incomplete", "indent": ""});
    }
    if open.brackets < 0 {
        return json!({"status": "invalid"});
    }
    if strip_comment(last).trim_end().ends_with(':') {
        return json!({"status": "incomplete", "indent": format!("{last_indent}    ")});
    }
    // Parsed, checked and dropped on a stack deep enough for any nesting.
    let valid = with_parser_stack(code, || {
        parse_unchecked(code, ParseOptions::from(Mode::Ipython))
            .errors()
            .is_empty()
    });
    if !valid {
        return json!({"status": "invalid"});
    }
    // An indented block ends with a blank line, as in the Python REPL.
    let ends_blank = code.trim_end_matches([' ', '\t']).ends_with("\n\n");
    if code.contains('\n') && !last_indent.is_empty() && !ends_blank {
        return json!({"status": "incomplete", "indent": last_indent});
    }
    json!({"status": "complete"})
}

#[derive(Default)]
struct Open {
    brackets: i64,
    triple_string: bool,
    backslash: bool,
}

/// Unclosed brackets and triple-quoted strings, and a trailing backslash.
fn open_constructs(code: &str) -> Open {
    let chars: Vec<char> = code.chars().collect();
    let mut open = Open::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '\'' | '"' => {
                let triple = chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
                let width = if triple { 3 } else { 1 };
                i += width;
                let mut closed = false;
                while i < chars.len() {
                    if chars[i] == '\\' {
                        i += 2;
                        continue;
                    }
                    if !triple && chars[i] == '\n' {
                        break;
                    }
                    if chars[i] == c
                        && (!triple
                            || (chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c)))
                    {
                        i += width;
                        closed = true;
                        break;
                    }
                    i += 1;
                }
                if triple && !closed {
                    open.triple_string = true;
                }
                continue;
            }
            '(' | '[' | '{' => open.brackets += 1,
            ')' | ']' | '}' => open.brackets -= 1,
            _ => {}
        }
        i += 1;
    }
    open.backslash =
        code.trim_end_matches([' ', '\t', '\n']).ends_with('\\') && !open.triple_string;
    open
}

fn strip_comment(line: &str) -> &str {
    // Good enough for the last line: a `#` inside a string there is rare.
    line.split('#').next().unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::verdict;

    #[test]
    fn verdicts() {
        for code in [
            "1",
            "print('hello, world')",
            "def f(x):\n  return x*2\n\n\n",
            "await trio.sleep(0)",
            "%time 1",
            "x = {'#': 1}",
        ] {
            assert_eq!(verdict(code)["status"], "complete", "{code:?}");
        }
        for code in [
            "print('''hello",
            "def f(x):\n  x+1",
            "for i in range(3):",
            "x = (1,",
            "x = 1 + \\",
        ] {
            assert_eq!(verdict(code)["status"], "incomplete", "{code:?}");
        }
        for code in ["import = 7q", "x = )"] {
            assert_eq!(verdict(code)["status"], "invalid", "{code:?}");
        }
        assert_eq!(verdict("if x:")["indent"], "    ");
    }
}
