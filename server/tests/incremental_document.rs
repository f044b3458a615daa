//! Incremental updates must be invisible: after any sequence of edits applied through
//! `Document::update_python`, the document's units tile the new text, every unit knows
//! its true offset and first line, and the diagnostics are exactly those of a fresh
//! `Document::from_python` of the same text. Edits are random: emoji and other
//! multi-byte characters, CRLF and lone CR, newlines, `# %%` markers, unclosed brackets
//! and quotes, indentation, and code that changes the diagnostics. Notebooks get the
//! same treatment through `Document::update_cells` with cells inserted, deleted, edited
//! and turned into markdown.

use asyncell::analysis::document::CellInput;
use asyncell::analysis::{check_document, Document, Settings, SourceKind, Target};
use asyncell::positions::{Encoding, LineIndex};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A plain script well over the segmentation threshold (400 lines), with something for
/// most rules to find in every block.
fn large_script() -> String {
    let mut text = String::from("import trio\nimport asyncio\n\n");
    for i in 0..60 {
        text.push_str(&match i % 5 {
            0 => format!(
                "async def fetch_{i}(x):\n    await trio.sleep(x)\n    trio.sleep({i})\n    return [await y for y in x]\n\n\nfetch_{i}(1)\n"
            ),
            1 => format!(
                "def helper_{i}(x):\n    # a comment with an emoji 🎉\n    return await x + {i}\n\n\nvalue_{i} = helper_{i}(2)\n"
            ),
            2 => format!(
                "@decorator\nclass Thing{i}:\n    \"\"\"A docstring\n    over lines.\n    \"\"\"\n    name = 'é{i}'\n\n\nawait trio.sleep({i})\n"
            ),
            3 => format!(
                "text_{i} = '''\nnot code: await x\n'''\nitems_{i} = [\n    {i},\n    {i} + 1,\n]\nasyncio.run(main_{i}())\n"
            ),
            _ => format!(
                "if __name__ == '__main__':\n    trio.run(main_{i})\nelse:\n    pass\nx_{i} = 1; y_{i} = 2\n"
            ),
        });
        text.push('\n');
    }
    text
}

/// A `# %%` cell file.
fn percent_file() -> String {
    let mut text = String::from("# %%\nimport trio\n\n");
    for i in 0..12 {
        text.push_str(&format!(
            "# %% cell {i}\nasync def job_{i}():\n    await trio.sleep({i})\n\njob_{i}()\ntrio.sleep(1)\ndef sync_{i}():\n    await job_{i}()\n\n"
        ));
    }
    text
}

/// Snippets an edit may insert.
const FRAGMENTS: &[&str] = &[
    "🎉",
    "é",
    "\u{10348}",
    "\r\n",
    "\n",
    "\r",
    "\n\n",
    "# %%\n",
    "\n# %% title\n",
    "#%%\n",
    "(",
    "[",
    "{",
    ")",
    "\"",
    "'",
    "'''",
    "\"\"\"",
    "\\",
    "    ",
    "\t",
    ":",
    "#",
    "await x\n",
    "await trio.sleep(1)\n",
    "async def g():\n    pass\n",
    "def h():\n    await y\n",
    "trio.sleep(1)\n",
    "fetch_0(2)\n",
    "import asyncio\n",
    "asyncio.run(f())\n",
    "x = 1\r\ny = 2\r\n",
    "class C:\n    z = await q\n",
    "# noqa\n",
    "  # noqa: LOOP100\n",
    // Cross-cell definitions, imports and rebindings (see `CELLS`).
    "def job_0():\n    return job_1\n",
    "job_0 = 1\n",
    "trio.run(job_0())\n",
    "import anyio as trio\n",
    "import os as trio\n",
    "from trio import sleep\n",
    "%autoawait trio\n",
    // IPython escapes, for notebook cells: autocall (`,` `;` `/`), help, shell, magics.
    ",",
    ";",
    "/",
    "?",
    "!",
    "%",
    "\n%%time\n",
];

/// Whole lines of valid code: inserted at line starts they keep a script parseable, so
/// the document stays segmented and the incremental path is what gets exercised.
const LINES: &[&str] = &[
    "x = 1\n",
    "\n",
    "\r\n",
    "# a comment 🎉\n",
    "y = 'é' * 2\r\n",
    "await trio.sleep(0)\n",
    "async def g():\n    await h()\n",
    "def h():\n    await y\n",
    "trio.sleep(1)\n",
    "fetch_0(3)\n",
    "import asyncio\n",
    "class K:\n    v = 1\n",
    "if x:\n    pass\nelse:\n    pass\n",
    "z = (1,\n     2)\n",
    "s = '''\n# %% not a marker? it is one\n'''\n",
];

#[derive(Clone, Copy, Debug)]
enum Snap {
    None,
    /// The start of its line: segments and cells begin there.
    LineStart,
    /// The start of a line that starts a top-level statement (not `else:`, not after a
    /// decorator), where a whole line of code can go without breaking anything.
    StatementStart,
}

#[derive(Clone, Debug)]
struct EditOp {
    /// Where, as a fraction of the text's characters (in 1/10000).
    at: u32,
    /// Where to move `at` first.
    snap: Snap,
    /// How many characters to delete there.
    delete: usize,
    insert: String,
}

fn edit_strategy() -> impl Strategy<Value = EditOp> {
    let insert = prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        2 => "[a-z0-9 ()\\[\\]{}\"'#:=.,\\n\\r\\t]{0,12}",
        1 => "\\PC{0,4}",
        1 => Just(String::new()),
    ];
    (
        0u32..=10_000,
        prop_oneof![Just(Snap::None), Just(Snap::LineStart)],
        prop_oneof![3 => Just(0usize), 2 => 1usize..4, 1 => 4usize..80],
        insert,
    )
        .prop_map(|(at, snap, delete, insert)| EditOp {
            at,
            snap,
            delete,
            insert,
        })
}

fn line_edit_strategy() -> impl Strategy<Value = EditOp> {
    (
        0u32..=10_000,
        prop_oneof![4 => Just(0usize), 1 => 1usize..3],
        proptest::sample::select(LINES),
    )
        .prop_map(|(at, delete, insert)| EditOp {
            at,
            snap: Snap::StatementStart,
            delete,
            insert: insert.to_string(),
        })
}

fn apply(text: &str, edit: &EditOp) -> String {
    let boundaries: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let chars = boundaries.len() - 1;
    let mut start_char = chars * edit.at as usize / 10_000;
    let bytes = text.as_bytes();
    let at_line_start = |c: usize| c == 0 || matches!(bytes[boundaries[c] - 1], b'\n' | b'\r');
    let starts_statement = |c: usize| {
        let line = &text[boundaries[c]..];
        let previous = text[..boundaries[c]].trim_end().rsplit(['\n', '\r']).next();
        !line.starts_with([' ', '\t'])
            && !["else", "elif", "except", "finally"]
                .iter()
                .any(|k| line.starts_with(k))
            && !previous.is_some_and(|p| p.starts_with('@'))
    };
    match edit.snap {
        Snap::None => {}
        Snap::LineStart => {
            while !at_line_start(start_char) {
                start_char -= 1;
            }
        }
        Snap::StatementStart => {
            while start_char > 0 && !(at_line_start(start_char) && starts_statement(start_char)) {
                start_char -= 1;
            }
        }
    }
    let end_char = (start_char + edit.delete).min(chars);
    let mut out = String::with_capacity(text.len() + edit.insert.len());
    out.push_str(&text[..boundaries[start_char]]);
    out.push_str(&edit.insert);
    out.push_str(&text[boundaries[end_char]..]);
    out
}

/// (code, 0-based document line, column, message) of every diagnostic, in document
/// order. The message too: it names other cells and lines, and says which library.
fn diagnostics(document: &mut Document) -> Vec<(&'static str, u32, u32, String)> {
    let per_unit = check_document(document);
    let mut out = Vec::new();
    for (slot, diagnostics) in document.slots().iter().zip(&per_unit) {
        for diagnostic in diagnostics.iter() {
            let at = slot.line_col(diagnostic.range.start(), Encoding::Utf16);
            out.push((
                diagnostic.rule.code(),
                at.line,
                at.col,
                diagnostic.message.clone(),
            ));
        }
    }
    out
}

/// The invariants that must hold after every update.
fn assert_consistent(document: &mut Document, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(document.text(), text);
    let lines = LineIndex::new(text);
    let slots = document.slots();
    prop_assert!(!slots.is_empty() || text.trim().is_empty());
    let mut expected_offset = None;
    for (position, slot) in slots.iter().enumerate() {
        let offset = usize::from(slot.offset);
        let unit = &slot.unit.text;
        prop_assert!(
            text.get(offset..offset + unit.len()) == Some(unit.as_str()),
            "slot {} at offset {} does not hold its unit's text",
            position,
            offset
        );
        if document.kind() == SourceKind::Script {
            // Script segments tile the text.
            prop_assert_eq!(offset, expected_offset.unwrap_or(0));
        } else if let Some(previous_end) = expected_offset {
            prop_assert!(offset >= previous_end);
        }
        expected_offset = Some(offset + unit.len());
        prop_assert_eq!(
            slot.start_line as usize,
            lines.line_of(slot.offset),
            "slot {} at offset {} starts on the wrong line",
            position,
            offset
        );
    }
    let concatenated: String = slots.iter().map(|s| s.unit.text.as_str()).collect();
    if document.kind() == SourceKind::Script {
        prop_assert_eq!(&concatenated, text);
    } else {
        // A cell file's code cells cover the text from the first marker on (no
        // markdown cells are ever generated here); only blank lines may precede it.
        let first = slots.first().map_or(text.len(), |s| usize::from(s.offset));
        prop_assert!(text[..first].trim().is_empty());
        prop_assert_eq!(&concatenated, &text[first..]);
    }

    let incremental = diagnostics(document);
    let mut fresh_document = Document::from_python(text.to_string(), &Settings::default());
    let fresh = diagnostics(&mut fresh_document);
    prop_assert_eq!(
        incremental,
        fresh,
        "incremental diagnostics differ from a fresh parse"
    );
    Ok(())
}

/// `cases`, unless PROPTEST_CASES asks for a deeper search (PROPTEST_CASES=5000).
fn cases_or_env(cases: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases)
}

fn run(base: String, cases: u32) {
    run_with(base, cases, edit_strategy().boxed());
}

fn run_with(base: String, cases: u32, edit: BoxedStrategy<EditOp>) {
    let mut runner = TestRunner::new(Config {
        cases: cases_or_env(cases),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = proptest::collection::vec(edit, 1..8);
    let result = runner.run(&strategy, |edits| {
        let mut document = Document::from_python(base.clone(), &Settings::default());
        let _ = diagnostics(&mut document);
        // Segment it, as editing would.
        document.update_python(base.clone());
        let _ = diagnostics(&mut document);
        let mut text = base.clone();
        for edit in &edits {
            text = apply(&text, edit);
            document.update_python(text.clone());
            assert_consistent(&mut document, &text)?;
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

#[test]
fn the_large_script_is_segmented_once_edited() {
    // A document is segmented on its first update (a script checked once is parsed
    // once), and the properties below start from there.
    let mut document = Document::from_python(large_script(), &Settings::default());
    document.update_python(large_script());
    assert!(large_script().lines().count() > 400);
    assert_eq!(document.kind(), SourceKind::Script);
    assert!(document.slots().len() > 50, "{}", document.slots().len());
    let found = diagnostics(&mut document);
    for code in ["LOOP100", "LOOP101", "LOOP300", "ASYNC105"] {
        assert!(found.iter().any(|d| d.0 == code), "no {code} in the base");
    }
}

#[test]
fn random_edits_to_a_large_script_match_a_fresh_parse() {
    run(large_script(), 64);
}

#[test]
fn random_line_edits_to_a_large_script_match_a_fresh_parse() {
    let edits = prop_oneof![3 => line_edit_strategy(), 1 => edit_strategy()];
    run_with(large_script(), 64, edits.boxed());
}

#[test]
fn random_edits_to_a_cell_file_match_a_fresh_parse() {
    run(percent_file(), 64);
}

/// Notebook cells: what one cell may define, await or call.
const CELLS: &[&str] = &[
    "import trio",
    "%autoawait asyncio",
    "async def load():\n    await trio.sleep(1)",
    "def load():\n    return 1",
    "load()",
    "await load()",
    "now = trio.current_time()",
    "trio.sleep(1)",
    "def work():\n    return trio.current_time()",
    "await trio.to_thread.run_sync(work)",
    "def f(:\n    pass",
    "!pip install trio\n%time x = 1",
    "# Heading 🎉",
    // Cross-cell definitions, imports and rebindings: what one cell binds changes what
    // the index says about a name another cell uses.
    "import anyio as lib",
    "import trio as lib",
    "import os as lib",
    "import asyncio",
    "import time",
    "async def tick():\n    time.sleep(1)",
    "def make():\n    return load",
    "async def make():\n    await trio.sleep(0)",
    "make = 1",
    "trio.run(make())",
    "load = make()",
    "event = trio.Event()",
    "event = 1",
    "await event.wait()",
    "async def forever():\n    while True:\n        await trio.sleep(1)",
    "forever = None",
    "await forever()",
    "asyncio.create_task(forever())",
    "time.sleep(3)",
    "%autoawait trio",
    "def work():\n    trio.from_thread.run(tick)",
    "from trio import sleep",
    "sleep = make_sleeper()",
    "trio.run(sleep(1))",
];

#[derive(Clone, Debug)]
enum CellOp {
    Insert {
        at: usize,
        cell: usize,
        is_code: bool,
    },
    Delete {
        at: usize,
    },
    Edit {
        at: usize,
        edit: EditOp,
    },
    Toggle {
        at: usize,
    },
    /// A cell's text replaced by another's (a definition becomes a rebinding), the cells
    /// around it unchanged.
    Replace {
        at: usize,
        cell: usize,
    },
}

fn cell_op_strategy() -> impl Strategy<Value = CellOp> {
    prop_oneof![
        1 => (
            0usize..20,
            0..CELLS.len(),
            prop_oneof![4 => Just(true), 1 => Just(false)]
        )
            .prop_map(|(at, cell, is_code)| CellOp::Insert { at, cell, is_code }),
        1 => (0usize..20).prop_map(|at| CellOp::Delete { at }),
        1 => (0usize..20, edit_strategy()).prop_map(|(at, edit)| CellOp::Edit { at, edit }),
        1 => (0usize..20).prop_map(|at| CellOp::Toggle { at }),
        2 => (0usize..20, 0..CELLS.len()).prop_map(|(at, cell)| CellOp::Replace { at, cell }),
    ]
}

/// A notebook diagnostic as a user sees it: code, cell, line, column, message.
type CellDiagnostic = (&'static str, Option<usize>, u32, u32, String);

/// Every diagnostic of a notebook, in document order.
fn cell_diagnostics(document: &mut Document) -> Vec<CellDiagnostic> {
    let per_unit = check_document(document);
    let mut out = Vec::new();
    for (slot, diagnostics) in document.slots().iter().zip(&per_unit) {
        for diagnostic in diagnostics.iter() {
            let at = slot.line_col(diagnostic.range.start(), Encoding::Utf16);
            out.push((
                diagnostic.rule.code(),
                slot.cell,
                at.line,
                at.col,
                diagnostic.message.clone(),
            ));
        }
    }
    out
}

#[test]
fn random_cell_edits_to_a_notebook_match_a_fresh_document() {
    run_cells(Settings::default());
}

#[test]
fn random_cell_edits_match_a_fresh_document_with_every_rule_under_ipython() {
    // Opt-in rules (ASYNC9xx) and IPython's per-cell `trio.run` read more of the index.
    run_cells(Settings {
        select: Some(vec!["ALL".to_string()]),
        target: Target::Ipython,
        ..Settings::default()
    });
}

fn run_cells(settings: Settings) {
    let mut runner = TestRunner::new(Config {
        cases: cases_or_env(64),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = proptest::collection::vec(cell_op_strategy(), 1..10);
    let result = runner.run(&strategy, |ops| {
        let mut cells: Vec<CellInput> = [0, 2, 4, 6]
            .iter()
            .map(|&i| CellInput {
                is_code: true,
                text: CELLS[i].to_string(),
            })
            .collect();
        let mut document = Document::from_cells(cells.clone(), &settings);
        let _ = cell_diagnostics(&mut document);
        for op in &ops {
            let len = cells.len();
            match op {
                CellOp::Insert { at, cell, is_code } => cells.insert(
                    at % (len + 1),
                    CellInput {
                        is_code: *is_code,
                        text: CELLS[*cell].to_string(),
                    },
                ),
                CellOp::Delete { at } if len > 0 => {
                    cells.remove(at % len);
                }
                CellOp::Edit { at, edit } if len > 0 => {
                    let cell = &mut cells[at % len];
                    cell.text = apply(&cell.text, edit);
                }
                CellOp::Toggle { at } if len > 0 => {
                    let cell = &mut cells[at % len];
                    cell.is_code = !cell.is_code;
                }
                CellOp::Replace { at, cell } if len > 0 => {
                    cells[at % len].text = CELLS[*cell].to_string();
                }
                _ => {}
            }
            document.update_cells(cells.clone());
            let code_cells: Vec<(usize, &str)> = cells
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_code)
                .map(|(i, c)| (i, c.text.as_str()))
                .collect();
            let slots: Vec<(usize, &str)> = document
                .slots()
                .iter()
                .map(|s| (s.cell.unwrap(), s.unit.text.as_str()))
                .collect();
            prop_assert_eq!(slots, code_cells);
            let incremental = cell_diagnostics(&mut document);
            let mut fresh = Document::from_cells(cells.clone(), &settings);
            prop_assert_eq!(incremental, cell_diagnostics(&mut fresh));
        }
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// Regressions found by the properties above, kept as plain tests.
mod regressions {
    use super::*;

    fn check_sequence(base: &str, edits: &[(u32, usize, &str)]) {
        let mut document = Document::from_python(base.to_string(), &Settings::default());
        let _ = diagnostics(&mut document);
        let mut text = base.to_string();
        for &(at, delete, insert) in edits {
            let edit = EditOp {
                at,
                snap: Snap::None,
                delete,
                insert: insert.to_string(),
            };
            text = apply(&text, &edit);
            document.update_python(text.clone());
            assert_consistent(&mut document, &text).unwrap();
        }
    }

    #[test]
    fn a_segment_boundary_never_splits_a_crlf() {
        // Turn the line break before `b = 2` into a lone CR (a full re-parse makes a
        // segment end with it), then insert LF right after it: the two now form one CRLF
        // line break, which must not be counted once per segment.
        let mut base = String::new();
        for i in 0..420 {
            base.push_str(&format!("a{i} = {i}\n"));
        }
        base.push_str("b = 2\nawait c\n");
        let at = base.find("b = 2").unwrap();
        let mut document = Document::from_python(base.clone(), &Settings::default());
        let mut text = base.clone();
        text.replace_range(at - 1..at, "\r");
        document.update_python(text.clone());
        assert_consistent(&mut document, &text).unwrap();
        text.insert(at, '\n');
        document.update_python(text.clone());
        assert_consistent(&mut document, &text).unwrap();
    }

    #[test]
    fn a_backslash_line_before_a_statement_does_not_split_it() {
        // `\` alone on a line continues into the next line's `def`: the whole script
        // parses, but a segment ending in the backslash would not.
        let base = large_script();
        let at = base.find("fetch_30(1)\n").unwrap() + "fetch_30(1)\n".len();
        let mut document = Document::from_python(base.clone(), &Settings::default());
        document.update_python(base.clone());
        let mut text = base.clone();
        text.insert(at, '\\');
        document.update_python(text.clone());
        assert_consistent(&mut document, &text).unwrap();
    }

    /// Notebook cells edited one after another; after each step the diagnostics equal a
    /// fresh document's.
    fn check_cells(steps: &[&[&str]]) {
        let cells = |texts: &[&str]| -> Vec<CellInput> {
            texts
                .iter()
                .map(|text| CellInput {
                    is_code: true,
                    text: text.to_string(),
                })
                .collect()
        };
        let mut document = Document::from_cells(cells(steps[0]), &Settings::default());
        let _ = cell_diagnostics(&mut document);
        for step in &steps[1..] {
            document.update_cells(cells(step));
            let mut fresh = Document::from_cells(cells(step), &Settings::default());
            assert_eq!(
                cell_diagnostics(&mut document),
                cell_diagnostics(&mut fresh)
            );
        }
    }

    #[test]
    fn a_rebinding_removed_in_another_cell_is_seen_by_loop303() {
        // `sync_bindings` was not in the fingerprint: the cached "no LOOP303" of the
        // last cell outlived the assignment that made `sleep` a plain function.
        check_cells(&[
            &[
                "import trio\nfrom trio import sleep",
                "sleep = make_sleeper()",
                "trio.run(sleep(1))",
            ],
            &[
                "import trio\nfrom trio import sleep",
                "x = make_sleeper()",
                "trio.run(sleep(1))",
            ],
        ]);
    }

    #[test]
    fn an_import_shadowed_in_another_cell_still_decides_the_library() {
        // `modules` was not in the fingerprint: `import anyio as lib` replaced by
        // `import os as lib` leaves `imports` equal (a later cell rebinds `lib`), but
        // anyio is no longer imported.
        check_cells(&[
            &[
                "import anyio as lib",
                "import trio as lib",
                "async def tick():\n    time.sleep(1)",
            ],
            &[
                "import os as lib",
                "import trio as lib",
                "async def tick():\n    time.sleep(1)",
            ],
        ]);
    }

    #[test]
    fn blank_lines_before_the_first_cell_marker_count() {
        check_sequence("\n\n# %%\ndef f():\n    await g()\n", &[(0, 0, "")]);
    }
}
