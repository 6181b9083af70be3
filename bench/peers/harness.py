"""Accuracy side by side (bench/peers.sh; standard library only).

  score OUT NAME FORMAT OUTPUT [FILELIST]
        read one tool's verdicts and scores on the test portion from its
        output; append a row to OUT/scores.tsv (name, path, label, verdict, score)
  table OUT
        print the markdown table from OUT/scores.tsv, OUT/train.tsv and
        OUT/speed.tsv

The test portion is OUT/test/{ham,spam} (symlinks made by
bench/classify/harness.py split). Metrics: ROC AUC (ties count one half),
1-AUC in %, and at each tool's own default decision: accuracy, FPR (ham called
spam), FNR (spam not called spam: an `unsure` spam counts as missed, an
`unsure` ham as kept), spam recall at FPR <= 0.5% (the best threshold on the
tool's score that calls at most 0.5% of ham spam).
"""
import os
import sys

from tool_output import parse, test_labels


def score(out, name, fmt, output, filelist=None):
    labels = test_labels(out)
    lines = open(output, errors="replace").read().splitlines()
    rows = []
    for path, verdict, s in parse(fmt, lines, filelist):
        label = labels.get(os.path.realpath(path))
        if label:
            rows.append(f"{name}\t{path}\t{label}\t{verdict}\t{s!r}\n")
    assert len(rows) == len(labels), f"{name}: {len(rows)} test verdicts for {len(labels)} messages"
    with open(os.path.join(out, "scores.tsv"), "a") as fh:
        fh.writelines(rows)


def auc(ham, spam):
    """P(score of a random spam > that of a random ham), ties one half (Mann-Whitney)."""
    scored = sorted([(s, 0) for s in ham] + [(s, 1) for s in spam])
    rank_sum, i = 0.0, 0
    while i < len(scored):
        j = i
        while j < len(scored) and scored[j][0] == scored[i][0]:
            j += 1
        mid_rank = (i + 1 + j) / 2  # ranks i+1..j share their mean
        rank_sum += mid_rank * sum(1 for k in range(i, j) if scored[k][1] == 1)
        i = j
    n1, n0 = len(spam), len(ham)
    return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0)


def recall_at_fpr(ham, spam, max_fpr):
    """Spam recall at the lowest threshold t with #{ham >= t} <= max_fpr * #ham."""
    allowed = int(max_fpr * len(ham))
    hs = sorted(ham, reverse=True)
    # t must exceed the (allowed+1)-th highest ham score
    bar = hs[allowed] if allowed < len(hs) else float("-inf")
    return sum(1 for s in spam if s > bar) / len(spam)


def metrics(rows):
    ham = [s for _, l, _, s in rows if l == "ham"]
    spam = [s for _, l, _, s in rows if l == "spam"]
    fp = sum(1 for _, l, v, _ in rows if l == "ham" and v == "spam")
    fn = sum(1 for _, l, v, _ in rows if l == "spam" and v != "spam")
    unsure = sum(1 for _, _, v, _ in rows if v == "unsure")
    unsure_ham = sum(1 for _, l, v, _ in rows if l == "ham" and v == "unsure")
    correct = len(rows) - fp - fn - unsure_ham
    a = auc(ham, spam)
    return {
        "auc": a,
        "one_minus_auc": 100 * (1 - a),
        "accuracy": 100 * correct / len(rows),
        "fpr": 100 * fp / len(ham),
        "fp": fp,
        "fnr": 100 * fn / len(spam),
        "fn": fn,
        "unsure": unsure,
        "recall": 100 * recall_at_fpr(ham, spam, 0.005),
        "n_ham": len(ham),
        "n_spam": len(spam),
    }


def table(out):
    by_tool = {}
    for line in open(os.path.join(out, "scores.tsv")):
        name, path, label, verdict, s = line.rstrip("\n").split("\t")
        by_tool.setdefault(name, []).append((path, label, verdict, float(s)))
    extra = {}
    for f in ("train.tsv", "speed.tsv"):
        p = os.path.join(out, f)
        if os.path.exists(p):
            for line in open(p):
                name, *cols = line.rstrip("\n").split("\t")
                extra.setdefault(name, {})[f] = cols
    first = next(iter(by_tool.values()))
    n_ham = sum(1 for r in first if r[1] == "ham")
    print(f"test portion: {n_ham} ham, {len(first) - n_ham} spam\n")
    print("| tool | AUC | 1-AUC | accuracy | FPR | FNR | recall @ FPR<=0.5% | model | train | classify |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, rows in by_tool.items():
        m = metrics(rows)
        seconds, size = extra.get(name, {}).get("train.tsv", [None, "?"])
        (rate,) = extra.get(name, {}).get("speed.tsv", [None])
        seconds = "?" if seconds is None else f"{float(seconds):.1f} s"
        rate = "?" if rate is None else f"{float(rate):,.0f} msg/s"
        unsure = f" ({m['unsure']} unsure)" if m["unsure"] else ""
        print(f"| {name} | {m['auc']:.5f} | {m['one_minus_auc']:.3f}% | {m['accuracy']:.1f}% "
              f"| {m['fpr']:.2f}% ({m['fp']}) | {m['fnr']:.1f}% ({m['fn']}){unsure} | {m['recall']:.1f}% "
              f"| {size} | {seconds} | {rate} |")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"score": score, "table": table}[cmd](*args)
