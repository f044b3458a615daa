"""A script with the event-loop mistakes asyncell catches. Try: asyncell check examples/"""

import asyncio


async def fetch(n):
    await asyncio.sleep(0.01)
    return n * 2


def total(ns):
    # LOOP101: `await` in a sync function (fix: make it `async def`).
    return sum([await fetch(n) for n in ns])


# LOOP100: top-level await works in a notebook cell, not in a script.
await fetch(1)

# LOOP300: the coroutine is created and dropped; fetch never runs.
fetch(2)

# Fine: a script starts its loop at module level.
print(asyncio.run(fetch(3)))
