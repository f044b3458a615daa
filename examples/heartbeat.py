# %% [markdown]
# # A heartbeat on one persistent trio loop
#
# Every cell of this file runs on the same trio loop, which stays alive between cells
# (in an editor, between your keystrokes). A task started in one cell keeps running while
# later cells run.
#
#     asyncell run examples/heartbeat.py --loop trio
#
# or open it in an editor with asyncell and use the "▶ Run cell" code lenses.

# %%
import trio

beats = []


async def heartbeat(interval=0.05):
    while True:
        beats.append(trio.current_time())
        await trio.sleep(interval)


# GLOBAL_NURSERY is the session's nursery: its tasks outlive the cell that starts them.
GLOBAL_NURSERY.start_soon(heartbeat, name="heartbeat")
print("heartbeat started")

# %%
# The heartbeat keeps beating while this cell awaits.
before = len(beats)
await trio.sleep(0.3)
print(f"{len(beats) - before} beats while this cell slept")

# %%
# A sync cell runs on the loop too, so trio's clock is available here.
print(f"loop time {trio.current_time():.2f} s, {len(beats)} beats so far")


# %%
# `start` waits until the task is ready and hands back a value, as trio's nursery.start.
async def counter(task_status=trio.TASK_STATUS_IGNORED):
    count = 0
    task_status.started("counter ready")
    while True:
        count += 1
        await trio.sleep(0.01)


print(await GLOBAL_NURSERY.start(counter, name="counter"))

# %%
# Both background tasks are still running: the loop never stopped.
before = len(beats)
await trio.sleep(0.2)
assert len(beats) > before, "the heartbeat stopped"
print("still beating:", len(beats) - before, "new beats")
