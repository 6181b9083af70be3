"""Prints bench/spark.sh's table from one JSON object per line on stdin:
{"tool", "fit": {"seconds", ...}, "certify": `sparsetext certify --json`,
"test": compare.py's result (Spark's rows)}. The last line is sparsetext's own
fit, the base of the ratios. Exits 1 when a Spark fit's certificate disagrees
with ours: weak duality puts each objective above the other's dual bound.
Usage: table.py MANIFEST TEST_SHARD RATIO LOADAVG"""
import json
import sys

manifest = json.load(open(sys.argv[1]))
test_shard, ratio, load = sys.argv[2:5]
rows = [json.loads(line) for line in sys.stdin if line.strip()]
ours = rows[-1]
c0 = ours["certify"]
test_rows = next(s["rows"] for s in manifest["shards"] if s["file"] == test_shard)
print(f"matrix fitted: {c0['rows']} x {c0['features']} ({manifest['rows']} rows in "
      f"{len(manifest['shards'])} shards, {test_shard} ({test_rows} rows) held out as the test "
      f"shard); lambda = {ratio} lambda_max = {c0['lambda']:.6e}, alpha {c0['alpha']}; "
      f"2 cores shared, load average {load} at the end")
print()
print("| fit | objective F | (F - F_ours) / F_ours | relative gap | max KKT | non-zeros "
      "| seconds | time / sparsetext's | test shard: max abs p difference |")
print("|---|---|---|---|---|---|---|---|---|")
failed = []
for r in rows:
    c = r["certify"]
    rel = (c["objective"] - c0["objective"]) / c0["objective"]
    seconds = r["fit"]["seconds"]
    test = f"{r['test']['max_abs_diff']:.1e} ({r['test']['rows']} rows)" if "test" in r else "-"
    print(f"| {r['tool']} | {c['objective']:.10e} | {rel:+.1e} | {c['relative_gap']:.1e} "
          f"| {c['max_kkt_violation']:.1e} | {c['nnz']} | {seconds:.2f} "
          f"| {seconds / ours['fit']['seconds']:.1f}x | {test} |")
    # Each F bounds F* from above, each dual from below.
    if c["objective"] < c0["dual"] or c0["objective"] < c["dual"]:
        failed.append(r["tool"])
print()
print("Spark's seconds are LogisticRegression.fit alone (data cached in memory); "
      "sparsetext's are the whole process, reading the matrix included. Every row's "
      "F, gap and KKT come from `sparsetext certify` on the parts Spark fitted; the last "
      "column compares `certify --scores` on the test shard with Spark's probabilities.")
if failed:
    sys.exit(f"table.py: the certificates of {failed} and sparsetext's disagree "
             "(an objective below the other's dual bound)")
