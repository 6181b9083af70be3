#!/usr/bin/env python3
"""Replays a peer filter over messages in a given order, TREC-style: each message
is first scored, then learned with its true label (full feedback).

Usage: replay.py bogofilter|spamprobe ORDER WORKDIR
ORDER is `sparsetext eval --online --scores` output (LABEL<TAB>P<TAB>NAME, in
replay order). Prints one JSON object: auc, one_minus_auc_pct, fpr, fnr,
messages, seconds.
"""
import json
import subprocess
import sys
import time


def unescape(name):
    return name.encode().decode("unicode_escape").encode("latin-1").decode("utf-8", "surrogateescape")


def first_number(out):
    """The score a peer printed; 0.5 (no opinion) when it printed none."""
    fields = out.split()
    return float(fields[1]) if len(fields) > 1 else 0.5


def bogofilter(db, path, spam):
    with open(path, "rb") as f:
        out = subprocess.run(["bogofilter", "-d", db, "-T"], stdin=f, capture_output=True).stdout
    # "S 0.999" / "H 0.001" / "U 0.5"; nothing (exit 3) before the first message is learned.
    score = first_number(out)
    with open(path, "rb") as f:
        subprocess.run(["bogofilter", "-d", db, "-s" if spam else "-n"], stdin=f, check=True)
    return score


def spamprobe(db, path, spam):
    out = subprocess.run(["spamprobe", "-d", "hash:" + db, "score", path], capture_output=True).stdout
    # "SPAM 0.9999999 <digest>" / "GOOD 0.0000001 <digest>"; nothing before the first
    # message is learned (no database yet).
    score = first_number(out)
    subprocess.run(["spamprobe", "-d", "hash:" + db, "spam" if spam else "good", path],
                   check=True, capture_output=True)
    return score


def auc(scores, labels):
    pairs = sorted(zip(scores, labels))
    pos = sum(labels)
    neg = len(labels) - pos
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        mid = (i + j + 1) / 2.0  # 1-based mean rank of the tie group
        rank_sum += mid * sum(1 for k in range(i, j) if pairs[k][1])
        i = j
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def main():
    tool, order, work = sys.argv[1:4]
    run = {"bogofilter": bogofilter, "spamprobe": spamprobe}[tool]
    messages = []
    with open(order) as f:
        for line in f:
            label, _, name = line.rstrip("\n").split("\t", 2)
            messages.append((label == "spam", unescape(name)))
    start = time.time()
    scores = [run(work, path, spam) for spam, path in messages]
    seconds = time.time() - start
    labels = [spam for spam, _ in messages]
    a = auc(scores, labels)
    spam_n = sum(labels)
    fp = sum(1 for s, y in zip(scores, labels) if not y and s >= 0.5)
    fn = sum(1 for s, y in zip(scores, labels) if y and s < 0.5)
    print(json.dumps({
        "auc": a, "one_minus_auc_pct": 100 * (1 - a),
        "fpr": fp / (len(labels) - spam_n), "fnr": fn / spam_n,
        "messages": len(labels), "seconds": seconds,
    }))


if __name__ == "__main__":
    main()
