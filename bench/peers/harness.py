"""Accuracy side by side (bench/peers.sh; standard library only).

  score OUT NAME FORMAT OUTPUT [FILELIST]
        read one tool's verdicts and scores on the test portion from its
        output; append a row to OUT/scores.tsv (name, path, label, verdict, score)
  table OUT
        print the markdown table from OUT/scores.tsv and OUT/tools.tsv (name,
        training seconds, model size, test messages scored per second)

The split is OUT/{train,test}/{ham,spam} (symlinks made by
bench/classify/harness.py split). Metrics: ROC AUC (ties count one half),
1-AUC in %, and at each tool's own decision: FPR (ham called spam), FNR (spam
not called spam: an `unsure` spam counts as missed, an `unsure` ham as kept),
the share of test messages called `unsure`; and spam recall at FPR <= 0.1% and
<= 0.5% (the best threshold on the tool's score that calls at most that share
of test ham spam, rounded down to whole messages).
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
    ham = [s for l, _, s in rows if l == "ham"]
    spam = [s for l, _, s in rows if l == "spam"]
    a = auc(ham, spam)
    return {
        "auc": a,
        "one_minus_auc": 100 * (1 - a),
        "fp": sum(1 for l, v, _ in rows if l == "ham" and v == "spam"),
        "fn": sum(1 for l, v, _ in rows if l == "spam" and v != "spam"),
        "unsure": sum(1 for _, v, _ in rows if v == "unsure"),
        "recall_01": 100 * recall_at_fpr(ham, spam, 0.001),
        "recall_05": 100 * recall_at_fpr(ham, spam, 0.005),
        "n_ham": len(ham),
        "n_spam": len(spam),
    }


def count(out, part, label):
    return len(os.listdir(os.path.join(out, part, label)))


def table(out):
    by_tool = {}
    for line in open(os.path.join(out, "scores.tsv")):
        name, _, label, verdict, s = line.rstrip("\n").split("\t")
        by_tool.setdefault(name, []).append((label, verdict, float(s)))
    tools = {}
    for line in open(os.path.join(out, "tools.tsv")):
        name, *cols = line.rstrip("\n").split("\t")
        tools[name] = cols
    n = {(p, l): count(out, p, l) for p in ("train", "test") for l in ("ham", "spam")}
    print(f"training: {n['train', 'ham'] + n['train', 'spam']:,} ({n['train', 'ham']:,} ham, "
          f"{n['train', 'spam']:,} spam); test: {n['test', 'ham'] + n['test', 'spam']:,} "
          f"({n['test', 'ham']:,} ham, {n['test', 'spam']:,} spam); recall @ FPR <= 0.1% and 0.5% "
          f"allow {int(0.001 * n['test', 'ham'])} and {int(0.005 * n['test', 'ham'])} test ham above "
          f"the threshold\n")
    print("| tool | AUC | 1-AUC | FPR | FNR | unsure | recall @ FPR<=0.1% | recall @ FPR<=0.5% "
          "| model | train | classify |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, rows in by_tool.items():
        m = metrics(rows)
        seconds, size, rate = tools.get(name, ["nan", "?", "nan"])
        unsure = f"{100 * m['unsure'] / len(rows):.1f}% ({m['unsure']})" if m["unsure"] else "0"
        print(f"| {name} | {m['auc']:.5f} | {m['one_minus_auc']:.3f}% "
              f"| {100 * m['fp'] / m['n_ham']:.2f}% ({m['fp']}) | {100 * m['fn'] / m['n_spam']:.1f}% ({m['fn']}) "
              f"| {unsure} | {m['recall_01']:.1f}% | {m['recall_05']:.1f}% "
              f"| {size} | {float(seconds):.1f} s | {float(rate):,.0f} msg/s |")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"score": score, "table": table}[cmd](*args)
