//! Every fix, applied to a corpus of snippets, yields code that still parses and no
//! longer has the problem it fixed.

use crate::common::first_catalogue::python;

/// `.py` documents (scripts and cell files) whose fixes are checked.
const PYTHON: &[&str] = &[
    "def f():\n    await g()\n    async with h():\n        pass\n",
    "@deco\ndef f(xs):\n    return [await x for x in xs]\n",
    "async def outer():\n    def inner():\n        return await work()\n    return inner\n",
    "# %%\nimport asyncio\n# %%\nx = asyncio.run(fetch()).value\ny = asyncio.run(a() if b else c())\n",
    "# %%\nimport trio\n# %%\ntrio.run(main, 1, 2)\ntrio.run(lambda: main(1))\n",
    "import asyncio\n\nasync def f(loop):\n    loop.run_until_complete(g())[0]\n    return asyncio.run(g())()\n",
    "# %%\nasync def refresh():\n    ...\n\n# %%\nrefresh()\n",
    "import asyncio\n\nasync def main():\n    asyncio.sleep(1)\n",
    "import trio\n\nasync def main():\n    trio.sleep(1)\n    n = trio.open_tcp_stream(h, 1).socket\n    x = [trio.sleep(i) for i in range(3)]\n",
    "# %%\nimport trio\ntrio.sleep(1)\n",
    "import trio\n\nasync def h():\n    trio.from_thread.run(f, 1)\n    v = trio.from_thread.run_sync(g, 2).x\n",
    "# %%\nimport trio\ntrio.from_thread.run(f)\n",
    "import trio\n\nasync def main(nursery):\n    nursery.start_soon(f(1, 2))\n    await nursery.start(f())\n\ntrio.run(main(3))\n",
    "import asyncio\n\nasync def tick():\n    ...\n\nasync def main(loop):\n    asyncio.create_task(tick)\n    loop.run_until_complete(tick)\n\nasyncio.run(tick)\n",
    "# %%\nimport asyncio\nasync def main():\n    ...\n# %%\nasyncio.run(main)\n",
];

const FIXABLE: &[&str] = &[
    "ASYNC105", "LOOP101", "LOOP200", "LOOP300", "LOOP302", "LOOP303",
];

#[test]
fn fixed_code_parses_and_the_fixed_problems_are_gone() {
    let mut applied = 0;
    for source in PYTHON {
        let before = python(source);
        assert!(!before.has("E999"), "{source}: the corpus must parse");
        for code in FIXABLE {
            let fixable = before
                .diagnostics(code)
                .iter()
                .filter(|d| d.fix.is_some())
                .count();
            if fixable == 0 {
                continue;
            }
            applied += 1;
            let fixed = before.fixed_only_where_possible(code);
            let after = python(&fixed);
            assert!(
                !after.has("E999"),
                "fixing {code} broke the syntax:\n{source}\n->\n{fixed}\n{:?}",
                after.findings()
            );
            let remaining = after.diagnostics(code).len();
            assert!(
                remaining <= before.diagnostics(code).len() - fixable,
                "fixing {code} left {remaining} behind:\n{source}\n->\n{fixed}\n{:?}",
                after.findings()
            );
        }
    }
    assert!(applied >= 15, "only {applied} fixes exercised");
}

/// Every fix offered on the rule fixtures and the corpus above, with every rule enabled,
/// carries an applicability its rule declares (and so its "Fix safety" section states,
/// which `rule_docs` checks). This holds in release builds too, where the checker's
/// debug assertion is off.
#[test]
fn every_fix_has_an_applicability_its_rule_declares() {
    use asyncell::analysis::Settings;

    let all = Settings {
        select: Some(vec!["ALL".into()]),
        ..Settings::default()
    };
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut sources: Vec<String> = PYTHON.iter().map(|s| s.to_string()).collect();
    for entry in std::fs::read_dir(fixtures).unwrap() {
        sources.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    let mut seen = std::collections::BTreeSet::new();
    for source in &sources {
        let checked = crate::common::python_with(source, &all);
        for diagnostic in checked.per_unit.iter().flat_map(|d| d.iter()) {
            let Some(fix) = &diagnostic.fix else { continue };
            let rule = diagnostic.rule;
            assert!(
                rule.fix_safety.contains(&fix.applicability),
                "{}: a {:?} fix, but the rule declares {:?}",
                diagnostic.rule.code(),
                fix.applicability,
                rule.fix_safety
            );
            seen.insert(diagnostic.rule.code());
        }
    }
    assert!(seen.len() >= 12, "fixes of only {seen:?} seen");
}

/// The fixes the rule docs call unsafe (they change what runs) are unsafe, so an
/// editor's fix-on-save and `--fix` leave them alone.
#[test]
fn fixes_that_change_what_runs_are_unsafe() {
    use asyncell::analysis::Applicability::{Safe, Unsafe};

    let applicability = |source: &str, code: &str| {
        let checked = crate::common::python(source);
        checked.first(code).fix.as_ref().unwrap().applicability
    };
    assert_eq!(
        applicability("def f():\n    await g()\n", "LOOP101"),
        Unsafe
    );
    assert_eq!(
        applicability(
            "# %%\nasync def refresh():\n    ...\n\n# %%\nrefresh()\n",
            "LOOP300"
        ),
        Unsafe
    );
    assert_eq!(
        applicability(
            "import trio\n\nasync def main():\n    trio.sleep(1)\n",
            "ASYNC105"
        ),
        Unsafe
    );
    assert_eq!(
        applicability(
            "# %%\nimport asyncio\nasync def main(): ...\n# %%\nasyncio.run(main())\n",
            "LOOP200"
        ),
        Safe
    );
    // ASYNC116: an infinite sleep never woke up anyway; a finite one did.
    let sleep = |interval: &str| {
        applicability(
            &format!(
                "import math\nimport trio\n\nasync def main():\n    await trio.sleep({interval})\n"
            ),
            "ASYNC116",
        )
    };
    assert_eq!(sleep("math.inf"), Safe);
    assert_eq!(sleep("float('inf')"), Safe);
    assert_eq!(sleep("86401"), Unsafe);
}
