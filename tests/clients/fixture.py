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
time.sleep(30)
