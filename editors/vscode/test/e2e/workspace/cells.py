# %% setup
import trio

numbers = list(range(10))
print(f"total is {sum(numbers)}")

# %% await at top level
await trio.sleep(0.1)
sum(numbers) * 2

# %% a background task that fails
async def doomed():
    await trio.sleep(0.2)
    raise ValueError("the background task gave up")


GLOBAL_NURSERY.start_soon(doomed, name="doomed")


# %% a long sleep
parts = ["the summary after the cell"] * 5
print("sleeping ten minutes: Ctrl+Alt+C;", *parts)
await trio.sleep(600)
