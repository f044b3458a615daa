//! Deep and long expressions (issue 11): checking them finishes on any stack, gives the
//! same diagnostics on a small stack as on a large one, and a unit too deep to analyse
//! gets exactly one E998 while the code around it is still checked.

use std::sync::Arc;

use proptest::prelude::*;

use asyncell::analysis::depth::MAX_ANALYSED_DEPTH;
use asyncell::analysis::document::CellInput;
use asyncell::analysis::{check_document, Diagnostic, Document, Settings};

/// One level of nesting around an expression `x`.
#[derive(Clone, Copy, Debug)]
enum Wrap {
    Negate,
    Not,
    Invert,
    Attribute,
    Call,
    Argument,
    Subscript,
    Add,
    Power,
    Conditional,
    Lambda,
    Await,
    List,
    Tuple,
    Dict,
    Comprehension,
    Generator,
    Starred,
    FormatSpec,
}

fn wrap(inner: &str, how: Wrap, out: &mut String) {
    out.clear();
    let parts: (&str, &str) = match how {
        Wrap::Negate => ("-", ""),
        Wrap::Not => ("not ", ""),
        Wrap::Invert => ("~", ""),
        Wrap::Attribute => ("", ".b"),
        Wrap::Call => ("", "()"),
        Wrap::Argument => ("f(", ")"),
        Wrap::Subscript => ("", "[0]"),
        Wrap::Add => ("", " + a"),
        Wrap::Power => ("a ** ", ""),
        Wrap::Conditional => ("a if b else ", ""),
        Wrap::Lambda => ("lambda: ", ""),
        Wrap::Await => ("await ", ""),
        Wrap::List => ("[", "]"),
        Wrap::Tuple => ("(", ",)"),
        Wrap::Dict => ("{1: ", "}"),
        Wrap::Comprehension => ("[", " for y in z]"),
        Wrap::Generator => ("(", " for y in z)"),
        Wrap::Starred => ("[*", "]"),
        Wrap::FormatSpec => ("f'{a:{", "}}'"),
    };
    // Prefix and postfix operators bind tighter than the binary ones around them:
    // parenthesize those that would change the nesting otherwise.
    let parenthesize = matches!(
        how,
        Wrap::Attribute | Wrap::Call | Wrap::Subscript | Wrap::Negate | Wrap::Invert
    );
    out.push_str(parts.0);
    if parenthesize && !inner.chars().all(|c| c.is_alphanumeric()) {
        out.push('(');
        out.push_str(inner);
        out.push(')');
    } else {
        out.push_str(inner);
    }
    out.push_str(parts.1);
}

/// The expression built from `runs` of wrappers, innermost first.
fn expression(runs: &[(Wrap, usize)]) -> String {
    let mut current = String::from("a");
    let mut next = String::new();
    for &(how, count) in runs {
        for _ in 0..count {
            // Format specs nest only through a name: keep it an expression there.
            wrap(&current, how, &mut next);
            std::mem::swap(&mut current, &mut next);
        }
    }
    current
}

/// Where the expression is written.
fn place(context: usize, expression: &str) -> String {
    match context {
        0 => format!("import trio\nx = {expression}\n"),
        1 => format!("import trio\nasync def f():\n    x = {expression}\n    await trio.sleep(0)\n"),
        2 => format!(
            "import trio\nasync def f():\n    try:\n        await trio.sleep(0)\n    except trio.Cancelled:\n        y = {expression}\n        raise\n"
        ),
        3 => format!(
            "import trio\nasync def f():\n    async with trio.open_nursery() as n:\n        n.start_soon({expression})\n"
        ),
        _ => format!("import trio\nfor i in {expression}:\n    pass\n"),
    }
}

const DROPPED: &str = "trio.sleep(1)\n";

fn settings() -> Settings {
    Settings {
        select: Some(vec!["ALL".into()]),
        ..Settings::default()
    }
}

/// The diagnostics of a script and of the same code as a notebook's second cell (the
/// third cell drops a coroutine), checked and dropped on a thread with `stack` bytes.
fn check_on_stack(code: &str, stack: usize) -> (Vec<Diagnostic>, Vec<Vec<Diagnostic>>) {
    let code = code.to_string();
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let mut script = Document::from_python(format!("{code}{DROPPED}"), &settings());
            let flat: Vec<Diagnostic> = check_document(&mut script)
                .iter()
                .flat_map(|d| d.iter().cloned())
                .collect();
            let cells = ["import trio".to_string(), code, DROPPED.to_string()]
                .into_iter()
                .map(|text| CellInput {
                    is_code: true,
                    text,
                })
                .collect();
            let mut notebook = Document::from_cells(cells, &settings());
            let per_cell = check_document(&mut notebook)
                .iter()
                .map(|d: &Arc<Vec<Diagnostic>>| d.as_ref().clone())
                .collect();
            (flat, per_cell)
        })
        .expect("a thread")
        .join()
        .expect("checking finishes without overflowing the stack")
}

fn has(diagnostics: &[Diagnostic], code: &str) -> bool {
    diagnostics.iter().any(|d| d.rule.code() == code)
}

fn wraps() -> impl Strategy<Value = Wrap> {
    prop_oneof![
        Just(Wrap::Negate),
        Just(Wrap::Not),
        Just(Wrap::Invert),
        Just(Wrap::Attribute),
        Just(Wrap::Call),
        Just(Wrap::Argument),
        Just(Wrap::Subscript),
        Just(Wrap::Add),
        Just(Wrap::Power),
        Just(Wrap::Conditional),
        Just(Wrap::Lambda),
        Just(Wrap::Await),
        Just(Wrap::List),
        Just(Wrap::Tuple),
        Just(Wrap::Dict),
        Just(Wrap::Comprehension),
        Just(Wrap::Generator),
        Just(Wrap::Starred),
        Just(Wrap::FormatSpec),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Any mix of nesting, shallow to well past the limit, in any context: the check
    /// finishes on a 256 KiB stack with exactly the diagnostics a 256 MiB stack gives;
    /// a too-deep unit gets one E998 and nothing else from the rules, and the next
    /// notebook cell is still checked.
    #[test]
    fn deep_expressions_check_alike_on_any_stack(
        runs in prop::collection::vec((wraps(), 1usize..6_000), 1..6),
        context in 0usize..5,
    ) {
        let code = place(context, &expression(&runs));
        let (small_script, small_cells) = check_on_stack(&code, 256 * 1024);
        let (large_script, large_cells) = check_on_stack(&code, 256 * 1024 * 1024);
        prop_assert_eq!(&small_script, &large_script);
        prop_assert_eq!(&small_cells, &large_cells);

        let e998 = small_script.iter().filter(|d| d.rule.code() == "E998").count();
        prop_assert!(e998 <= 1);
        if e998 == 1 {
            prop_assert!(small_script.iter().all(|d| d.rule.code() == "E998" || d.rule.code() == "E999"));
            prop_assert!(!has(&small_script, "ASYNC105"));
        } else {
            // Analysed: the dropped coroutine after the deep code is found.
            prop_assert!(has(&small_script, "ASYNC105"), "{:?}", small_script);
        }
        prop_assert_eq!(small_cells.len(), 3);
        prop_assert!(small_cells[1].iter().filter(|d| d.rule.code() == "E998").count() <= 1);
        prop_assert!(has(&small_cells[2], "ASYNC105"), "{:?}", small_cells[2]);
    }
}

#[test]
fn a_chain_just_over_the_limit_gets_one_e998_and_one_just_under_none() {
    // `x = a + a + ... + a`: the assignment, one level per `+`, and the last name.
    let terms = |levels: u32| (levels - 1) as usize;
    for (levels, too_deep) in [(MAX_ANALYSED_DEPTH, false), (MAX_ANALYSED_DEPTH + 1, true)] {
        let code = format!(
            "import trio\nx = {}\n",
            vec!["a"; terms(levels)].join(" + ")
        );
        let (script, cells) = check_on_stack(&code, 512 * 1024);
        assert_eq!(
            has(&script, "E998"),
            too_deep,
            "{levels} levels: {script:?}"
        );
        assert_eq!(has(&script, "ASYNC105"), !too_deep, "{levels} levels");
        assert_eq!(has(&cells[1], "E998"), too_deep);
        assert!(has(&cells[2], "ASYNC105"));
    }
}

#[test]
fn long_flat_chains_are_analysed_in_full() {
    // 100,000 operands of one node, and 20,000 `elif`s and generators processed in turn.
    let operands = vec!["a"; 100_000];
    let elifs: String = (1..20_000)
        .map(|i| format!("        elif x == {i}:\n            raise\n"))
        .collect();
    let sources = [
        format!("import trio\nx = {}\n", operands.join(" and ")),
        format!("import trio\nx = {}\n", operands.join(" < ")),
        format!("import trio\nx = [y {}]\n", "for y in [1] ".repeat(20_000)),
        format!(
            "import trio\nasync def f(x):\n    try:\n        await trio.sleep(0)\n    except trio.Cancelled:\n        if x == 0:\n            raise\n{elifs}"
        ),
    ];
    for code in sources {
        let (script, cells) = check_on_stack(&code, 256 * 1024);
        assert!(!has(&script, "E998"), "{script:?}");
        assert!(has(&script, "ASYNC105"));
        assert!(has(&cells[2], "ASYNC105"));
    }
}
