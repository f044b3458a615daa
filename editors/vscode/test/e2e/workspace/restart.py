# %% counts the runs on this host
runs = globals().get("runs", 0) + 1
base = 20

# %% uses the first cell's name
total = base * 2 + 2
print(f"total is {total}")

# %% uses both
print(f"run {runs}: {total} from {base}")
