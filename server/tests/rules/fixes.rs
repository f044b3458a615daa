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
