"""CountVectorizer on the same raw files: read, decode, fit_transform.

Prints the median wall seconds and the median CPU seconds (process time) of RUNS runs, on one line."""
import os
import statistics
import sys
import time

from sklearn.feature_extraction.text import CountVectorizer

root, runs = sys.argv[1], int(sys.argv[2])
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)
times = []
cpus = []
for _ in range(runs):
    start = time.perf_counter()
    cpu_start = time.process_time()
    texts = []
    for path in paths:
        with open(path, "rb") as f:
            texts.append(f.read().decode("latin-1"))
    x = CountVectorizer(binary=True).fit_transform(texts)
    times.append(time.perf_counter() - start)
    cpus.append(time.process_time() - cpu_start)
print(f"{statistics.median(times):.4f} {statistics.median(cpus):.4f}")
print(f"CountVectorizer: {x.shape[0]} x {x.shape[1]}, {x.nnz} non-zeros", file=sys.stderr)
