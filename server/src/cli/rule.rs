//! `asyncell rule CODE` and `asyncell rule --all`.

use std::process::ExitCode;

use clap::Args;

use crate::analysis::rules::{FixAvailability, Rule, RuleMeta};

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code (`LOOP200`) or name (`nested-loop-run`).
    pub code: Option<String>,
    /// List every rule.
    #[arg(long)]
    pub all: bool,
}

pub fn run(args: RuleArgs) -> ExitCode {
    match (args.code, args.all) {
        (Some(code), false) => match Rule::find(&code) {
            Some(rule) => {
                println!("{}", render_page(&rule));
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: no rule `{code}`; `asyncell rule --all` lists them");
                ExitCode::from(2)
            }
        },
        (None, true) => {
            println!("{}", render_index());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("error: give a rule code, or --all");
            ExitCode::from(2)
        }
    }
}

/// A rule's documentation page, as printed by `asyncell rule CODE` and written to
/// `docs/rules/CODE.md`.
pub fn render_page(rule: &RuleMeta) -> String {
    let fix = match rule.fix {
        FixAvailability::Always => format!("Fix is always available ({}).", safety(rule)),
        FixAvailability::Sometimes => {
            format!("Fix is sometimes available ({}).", safety(rule))
        }
        FixAvailability::None => "No fix.".to_string(),
    };
    let default = if rule.default_enabled {
        "On by default."
    } else {
        "Off by default: enable with `select`."
    };
    format!(
        "# {name} ({code})\n\nLibrary: {library}. Severity: {severity}. {default} {fix}\n\n\
         {doc}\n",
        name = rule.name,
        code = rule.code,
        library = rule.library,
        severity = rule.severity.as_str(),
        doc = rule.documentation()
    )
}

/// The head of the rule index: what the severities mean and how the library is decided
/// (`analysis::index::Library::decide`).
const SEVERITY_MODEL: &str = "# Rules

## Severity

Every rule has one severity, declared with the rule (its `rule!` declaration) and carried by
each of its findings; the CLI's output formats and the LSP diagnostics all show that one
value:

| severity | means | CLI (`json`, `sarif`, `github`, `gitlab`) | LSP |
|---|---|---|---|
| error | the code raises when it runs (SyntaxError, TypeError, AttributeError, RuntimeError) | `error`, `error`, `error`, `critical` | Error (1) |
| warning | the code runs but hangs, leaks or loses work (a frozen loop, a dropped coroutine, an unsupervised task, a missed cancellation) | `warning`, `warning`, `warning`, `major` | Warning (2) |
| information | style: the code works, another spelling says better what is meant | `information`, `note`, `notice`, `info` | Information (3) |

## Library

Rules that name an API (`await trio.sleep(...)`, `trio.lowlevel.checkpoint()`, a
cancellation exception) or apply one library's semantics use the library the code is
written for, decided once per file in this order:

1. the file's module-level imports (every cell's top-level imports in a notebook or
   `# %%` file): anyio if it is imported (it runs on either loop), else trio or asyncio
   if exactly one of the two is;
2. else the loop a `%autoawait` line or the `loop` setting chooses;
3. else, in a notebook or `# %%` file, asyncio: the loop its cells run on when nothing
   decides;
4. else the library is undecided, and every rule reads it as trio, flake8-async's
   default library: ASYNC251, ASYNC910 and the others then all suggest trio's API.

Imports inside a function are scoped to it, as Python scopes them: `from anyio import
...` in one function makes that function (and the functions nested in it) anyio code,
not the file or its other functions, and the names it imports resolve only there.

";

/// The rule index table, as printed by `asyncell rule --all` and written to
/// `docs/rules/README.md`.
pub fn render_index() -> String {
    let mut out = String::from(SEVERITY_MODEL);
    out.push_str(
        "| code | name | library | severity | default | fix |\n|---|---|---|---|---|---|\n",
    );
    for rule in Rule::ALL {
        let fix = match rule.fix {
            FixAvailability::Always => format!("yes ({})", safety(rule)),
            FixAvailability::Sometimes => format!("sometimes ({})", safety(rule)),
            FixAvailability::None => "no".to_string(),
        };
        out.push_str(&format!(
            "| [{code}]({code}.md) | {name} | {library} | {severity} | {default} | {fix} |\n",
            code = rule.code,
            name = rule.name,
            library = rule.library,
            severity = rule.severity.as_str(),
            default = if rule.default_enabled { "on" } else { "off" },
        ));
    }
    out
}

/// The applicabilities of the rule's fixes, most trusted first: "safe", "safe or unsafe".
fn safety(rule: &RuleMeta) -> String {
    let mut safety: Vec<_> = rule.fix_safety.to_vec();
    safety.sort_by(|a, b| b.cmp(a));
    safety
        .iter()
        .map(|applicability| applicability.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}
