# %%
import asyncio


async def main():
    await asyncio.sleep(0.1)
    return "done"


# %%
# In a notebook the loop is already running: this call fails there (LOOP200).
asyncio.run(main())
