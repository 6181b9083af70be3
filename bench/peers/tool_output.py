"""What bench/classify/harness.py and bench/peers/harness.py both read: the
test portion's labels, and each tool's batch output (standard library only)."""
import os


def test_labels(out):
    """Real path -> 'ham' | 'spam' for every message of OUT/test/{ham,spam}."""
    labels = {}
    for label in ("ham", "spam"):
        d = os.path.join(out, "test", label)
        for link in os.listdir(d):
            labels[os.path.realpath(os.path.join(d, link))] = label
    return labels


def parse(fmt, lines, filelist=None):
    """(path, verdict, score) per line of a tool's batch output; verdict is
    'spam', 'ham' or 'unsure'."""
    if fmt in ("sparsetext", "tsv"):  # label<TAB>score<TAB>name (also bench/peers/spamc_score.py)
        for line in lines:
            verdict, score, name = line.split("\t", 2)
            yield name, verdict, float(score)
    elif fmt == "bogofilter":  # name S|H|U score
        for line in lines:
            name, verdict, score = line.rsplit(" ", 2)
            yield name, {"S": "spam", "H": "ham", "U": "unsure"}[verdict], float(score)
    else:  # spamprobe: SPAM|GOOD score digest, one line per file in FILELIST order
        names = open(filelist).read().splitlines()
        assert len(names) == len(lines), f"{len(lines)} verdicts for {len(names)} files"
        for name, line in zip(names, lines):
            verdict, score = line.split()[:2]
            yield name, "spam" if verdict == "SPAM" else "ham", float(score)
