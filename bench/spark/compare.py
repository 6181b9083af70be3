"""Compares Spark's predicted probabilities of the test shard's rows with
sparsetext's scores (`certify --scores`): same rows, same labels, p(spam)
equal to 1e-6. Prints one JSON object (rows, max_abs_diff); exits 1 when they
differ. Usage: compare.py SPARK_PROBABILITIES SPARSETEXT_SCORES"""
import json
import sys

TOLERANCE = 1e-6


def read(path):
    with open(path) as f:
        return [(label, float(p)) for label, p in (line.split() for line in f if line.strip())]


spark, ours = read(sys.argv[1]), read(sys.argv[2])
if len(spark) != len(ours) or any(a[0] != b[0] for a, b in zip(spark, ours)):
    sys.exit(f"compare.py: {sys.argv[1]} and {sys.argv[2]} do not hold the same rows")
worst = max((abs(a[1] - b[1]) for a, b in zip(spark, ours)), default=0.0)
print(json.dumps({"rows": len(ours), "max_abs_diff": worst}))
if worst > TOLERANCE:
    sys.exit(f"compare.py: p(spam) differs by {worst:.3e} > {TOLERANCE:.0e}")
