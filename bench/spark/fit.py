"""Fits Spark MLlib's LogisticRegression on a sparsetext shard folder and writes
its weights in the form `sparsetext import` reads.

Spark minimizes (1/N) sum_i log(1 + exp(-y_i (b0 + x_i.w)))
+ regParam (elasticNetParam ||w||_1 + (1 - elasticNetParam)/2 ||w||_2^2)
when standardization=false and fitIntercept=true: sparsetext's objective with
lambda = regParam and alpha = elasticNetParam.

Usage: fit.py SHARDS LAMBDA ALPHA TOL WEIGHTS_OUT [--master URL] [--lambda-ratio]
             [--test-shard auto|none|FILE] [--probabilities OUT]
The test shard (by default the part whose classes are most balanced, when
there are two parts or more) is held out: Spark fits the other parts and, with
--probabilities, writes its predicted p(spam) for each test row, in row order.
Prints one JSON line: seconds, iterations, nnz, objective (Spark's last
objectiveHistory value), lambda, the shards fitted and tested, spark version.
"""

import argparse
import json
import os
import time


def labels(path):
    """The spam and ham rows of one part."""
    spam = ham = 0
    with open(path) as f:
        for line in f:
            fields = line.split(maxsplit=1)
            if fields:
                if float(fields[0]) > 0:
                    spam += 1
                else:
                    ham += 1
    return spam, ham


def test_shard(files, choice):
    """The held-out part's file name, or None."""
    if choice == "none":
        return None
    if choice != "auto":
        if choice not in files:
            raise SystemExit(f"fit.py: {choice} is not a part of the shard folder")
        return choice
    if len(files) < 2:
        return None
    # The most balanced part: the largest minority class.
    return max(files, key=lambda f: min(labels(files[f])))


def lambda_max(parts, alpha):
    """max_j |sum_i x_ij (y01_i - p0)| / (N alpha) (sparsetext's solver docs)."""
    rows = []
    for path in parts:
        with open(path) as f:
            for line in f:
                fields = line.split()
                if fields:
                    rows.append((float(fields[0]) > 0, fields[1:]))
    n = len(rows)
    p0 = sum(1 for spam, _ in rows if spam) / n
    z = {}
    for spam, pairs in rows:
        r = (1.0 if spam else 0.0) - p0
        for pair in pairs:
            j, v = pair.split(":")
            z[j] = z.get(j, 0.0) + float(v) * r
    return max(abs(v) for v in z.values()) / (n * alpha)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shards")
    ap.add_argument("lam", type=float)
    ap.add_argument("alpha", type=float)
    ap.add_argument("tol", type=float)
    ap.add_argument("weights")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--max-iter", type=int, default=10000)
    ap.add_argument("--lambda-ratio", action="store_true",
                    help="LAMBDA is a fraction of lambda_max (of the parts fitted)")
    ap.add_argument("--test-shard", default="auto")
    ap.add_argument("--probabilities")
    args = ap.parse_args()

    with open(os.path.join(args.shards, "manifest.json")) as f:
        manifest = json.load(f)
    assert manifest["format"] == "sparsetext-shards" and manifest["id_base"] == 1
    files = {s["file"]: os.path.join(args.shards, s["file"]) for s in manifest["shards"]}
    test = test_shard(files, args.test_shard)
    parts = [path for name, path in files.items() if name != test]
    train_rows = sum(s["rows"] for s in manifest["shards"] if s["file"] != test)
    lam = args.lam * lambda_max(parts, args.alpha) if args.lambda_ratio else args.lam

    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.ml.classification import LogisticRegression

    spark = (SparkSession.builder.master(args.master)
             .appName("sparsetext-bench")
             .config("spark.driver.memory", "4g")
             .config("spark.ui.enabled", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    # The part files only: the folder also holds vocab.txt and manifest.json.
    # Spark's vector index is the 1-based id - 1.
    def read(paths):
        return (spark.read.format("libsvm")
                .option("numFeatures", manifest["features"])
                .load(paths)
                .withColumn("label", (F.col("label") > 0).cast("double")))

    df = read(parts).cache()
    assert df.count() == train_rows
    lr = LogisticRegression(standardization=False, fitIntercept=True,
                            regParam=lam, elasticNetParam=args.alpha,
                            tol=args.tol, maxIter=args.max_iter)
    start = time.perf_counter()
    model = lr.fit(df)
    seconds = time.perf_counter() - start
    coef = model.coefficients.toArray()
    nonzero = [(i + 1, float(w)) for i, w in enumerate(coef) if w != 0.0]
    tmp = args.weights + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"intercept {model.intercept!r}\n")
        for i, w in nonzero:
            f.write(f"{i} {w!r}\n")
    os.replace(tmp, args.weights)
    if test is not None and args.probabilities:
        # One file's rows come back in file order: its partitions are byte
        # ranges, collected in order.
        rows = model.transform(read(files[test])).select("label", "probability").collect()
        tmp = args.probabilities + ".tmp"
        with open(tmp, "w") as f:
            for r in rows:
                f.write(f"{'+1' if r.label > 0 else '-1'}\t{float(r.probability[1])!r}\n")
        os.replace(tmp, args.probabilities)
    summary = model.summary
    print(json.dumps({
        "seconds": seconds,
        "iterations": summary.totalIterations,
        "nnz": len(nonzero),
        "objective": summary.objectiveHistory[-1],
        "lambda": lam,
        "alpha": args.alpha,
        "tol": args.tol,
        "train_shards": [os.path.basename(p) for p in parts],
        "test_shard": test,
        "spark": spark.version,
    }))
    spark.stop()


if __name__ == "__main__":
    main()
