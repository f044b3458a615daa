# %% setup
import trio

numbers = list(range(10))
print(f"total is {sum(numbers)}")

# %% await at top level
await trio.sleep(0.1)
sum(numbers) * 2
