# %% [markdown]
# # asyncio tasks that outlive their cell
#
# All cells run on one persistent asyncio loop, so a task created in one cell is still
# there in the next:
#
#     asyncell run examples/asyncio_tasks.py --loop asyncio

# %%
import asyncio


async def fetch(n):
    await asyncio.sleep(0.1)
    return n * 2


loop = asyncio.get_running_loop()
task = loop.create_task(fetch(21))
print("task created:", task.get_name())

# %%
# The loop kept running between cells: the task finished (or finishes while we await).
print("result:", await task)

# %%
# The loop is already running, so run_until_complete cannot be used in a cell; await
# the coroutine instead.
pending = asyncio.sleep(0)
try:
    loop.run_until_complete(pending)  # noqa: LOOP200 (on purpose, to show the error)
except RuntimeError as error:
    pending.close()
    print("as expected:", error)
