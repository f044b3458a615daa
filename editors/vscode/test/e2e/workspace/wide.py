# %% a cell ending in a long code line
words = ["a summary", "longer than", "the editor", "is wide"] * 3
print(*words); sizes = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
