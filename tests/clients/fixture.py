# %%
import time
value = 41

# %%
value + 1

# %%
def f():
    raise RuntimeError("boom")

f()

# %%
print("sleeping", flush=True)
time.sleep(30)

# %%
import trio
async def crash():
    await trio.sleep(0.2)
    raise RuntimeError("task blew up")
background.start_soon(crash, name="crasher")
