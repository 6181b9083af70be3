"""CountVectorizer on the same raw files: read, decode, fit_transform. Prints the median seconds."""
import os
import statistics
import sys
import time

from sklearn.feature_extraction.text import CountVectorizer

root, runs = sys.argv[1], int(sys.argv[2])
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
times = []
for _ in range(runs):
    start = time.perf_counter()
    texts = []
    for path in paths:
        with open(path, "rb") as f:
            texts.append(f.read().decode("latin-1"))
    x = CountVectorizer(binary=True).fit_transform(texts)
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.4f}")
print(f"CountVectorizer: {x.shape[0]} x {x.shape[1]}, {x.nnz} non-zeros", file=sys.stderr)
