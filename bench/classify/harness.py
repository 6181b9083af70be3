"""Helpers for bench/classify.sh (standard library only).

  split CORPUS OUT [random|chrono]
                         symlink the corpus into OUT/{train,test}/{ham,spam}; a message's
                         folder name gives its label. random (default): a message is in
                         the test portion when the MD5 part of its name (after `NNNNN.`)
                         starts with 0, 1 or 2. chrono: the newest third by sent time is
                         the test portion (see sent_time)
  latency OUT RUNS N NAME CMD [NAME CMD ...]
                         whole-process latency, one message on stdin: N test messages
                         (half ham, half spam, evenly spaced), each run RUNS times by
                         every tool, tools in rotating order; the process is spawned
                         directly (posix_spawn, stdin = the file, stdout = /dev/null),
                         so no shell is timed. Writes OUT/latency.tsv
  verdicts OUT NAME FORMAT OUTPUT [FILELIST]
                         count one tool's batch verdicts on the test portion
  table OUT              print the markdown table from OUT/*.tsv
"""
import email.utils
import os
import shlex
import shutil
import statistics
import sys
import time
from datetime import timezone
from email import policy
from email.parser import BytesHeaderParser

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from tool_output import parse, test_labels  # noqa: E402


def sent_time(path):
    """(POSIX time, source): the Date header, else the date of the first (topmost)
    Received header, the text after its last `;`; (None, 'neither') when neither
    parses. A date without a zone (or -0000) is taken as UTC."""
    with open(path, "rb") as fh:
        headers = BytesHeaderParser(policy=policy.compat32).parse(fh)
    received = headers.get_all("Received") or []
    for source, text in (("date", headers.get("Date")),
                         ("received", str(received[0]).rsplit(";", 1)[-1] if received else None)):
        if text is None:
            continue
        try:
            t = email.utils.parsedate_to_datetime(str(text).strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp(), source
    return None, "neither"


def split(corpus, out, mode="random"):
    if mode not in ("random", "chrono"):
        sys.exit(f"split: unknown mode {mode!r} (random or chrono)")
    messages = []  # (folder, name, part)
    for folder in sorted(os.listdir(corpus)):
        for name in sorted(os.listdir(os.path.join(corpus, folder))):
            part = "test" if name.split(".", 1)[1][0] in "012" else "train"
            messages.append((folder, name, part))
    if mode == "chrono":
        timed, sources = [], {}
        for folder, name, _ in messages:
            t, source = sent_time(os.path.join(corpus, folder, name))
            sources[source] = sources.get(source, 0) + 1
            timed.append((float("inf") if t is None else t, folder, name))  # undated: newest
        timed.sort()  # ties by (folder, name): deterministic
        cut = len(timed) * 2 // 3
        messages = [(folder, name, "train" if i < cut else "test")
                    for i, (_, folder, name) in enumerate(timed)]
        print(f"sent time from: Date {sources.get('date', 0)}, first Received "
              f"{sources.get('received', 0)}, neither {sources.get('neither', 0)}", file=sys.stderr)
    for part in ("train", "test"):
        for label in ("ham", "spam"):
            os.makedirs(os.path.join(out, part, label), exist_ok=True)
    counts = {}
    for folder, name, part in messages:
        label = "spam" if "spam" in folder else "ham"
        src = os.path.abspath(os.path.join(corpus, folder, name))
        os.symlink(src, os.path.join(out, part, label, f"{folder}.{name}"))
        counts[part, label] = counts.get((part, label), 0) + 1
    print(" ".join(f"{p}/{l}={n}" for (p, l), n in sorted(counts.items())), file=sys.stderr)


def test_messages(out, n):
    chosen = []
    for label in ("ham", "spam"):
        d = os.path.join(out, "test", label)
        names = sorted(os.listdir(d))
        k = n // 2 if label == "ham" else n - n // 2
        chosen += [os.path.join(d, names[i * len(names) // k]) for i in range(k)]
    return chosen


def run_once(argv, path):
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, path, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    start = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter_ns() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 2):
        sys.exit(f"{shlex.join(argv)} < {path}: exit code {code}")
    return wall / 1e6, (usage.ru_utime + usage.ru_stime) * 1e3


def latency(out, runs, n, specs):
    tools = []
    for name, cmd in zip(specs[::2], specs[1::2]):
        argv = shlex.split(cmd)
        argv[0] = shutil.which(argv[0]) or sys.exit(f"{argv[0]}: not found")
        tools.append((name, argv))
    files = test_messages(out, n)
    for name, argv in tools:  # warm up: page cache, dynamic loader
        for f in files:
            run_once(argv, f)
    wall = {name: [] for name, _ in tools}
    cpu = {name: [] for name, _ in tools}
    for r in range(runs):
        for i, f in enumerate(files):
            k = (r + i) % len(tools)
            for name, argv in tools[k:] + tools[:k]:
                w, c = run_once(argv, f)
                wall[name].append(w)
                cpu[name].append(c)
    # harness floor: spawning /bin/true the same way
    floor = statistics.median(run_once(["/bin/true"], files[0])[0] for _ in range(200))
    with open(os.path.join(out, "latency.tsv"), "w") as fh:
        for name, _ in tools:
            ws = sorted(wall[name])
            fh.write(f"{name}\t{statistics.median(ws):.3f}\t{ws[len(ws) * 9 // 10]:.3f}\t"
                     f"{ws[0]:.3f}\t{statistics.median(cpu[name]):.3f}\t{len(ws)}\t{len(files)}\t{floor:.3f}\n")


def verdicts(out, name, fmt, output, filelist=None):
    """Spam/ham/unsure counts on the test portion, from a batch run's output."""
    test = test_labels(out)
    lines = open(output, errors="replace").read().splitlines()
    pairs = [(path, verdict) for path, verdict, _ in parse(fmt, lines, filelist)]
    c = {}
    for path, verdict in pairs:
        label = test.get(os.path.realpath(path))
        if label:
            c[label, verdict] = c.get((label, verdict), 0) + 1
    nspam = sum(v for (l, _), v in c.items() if l == "spam")
    nham = sum(v for (l, _), v in c.items() if l == "ham")
    with open(os.path.join(out, "verdicts.tsv"), "a") as fh:
        fh.write(f"{name}\t{c.get(('spam', 'spam'), 0)}\t{nspam}\t{c.get(('ham', 'spam'), 0)}\t{nham}\t"
                 f"{c.get(('spam', 'unsure'), 0) + c.get(('ham', 'unsure'), 0)}\n")


def table(out):
    rows = lambda f: [l.split("\t") for l in open(os.path.join(out, f)).read().splitlines()]
    lat = {r[0]: [float(x) for x in r[1:]] for r in rows("latency.tsv")}
    batch = {(r[0], r[1]): (float(r[2]), float(r[4])) for r in rows("batch.tsv")}  # msg/s, CPU us/msg
    nfiles = int(rows("batch.tsv")[0][3])
    ver = {r[0]: list(map(int, r[1:])) for r in rows("verdicts.tsv")}
    base_lat = lat["sparsetext"][0]
    base_b = batch[("sparsetext", "2")][0]
    _, _, _, _, nruns, nmsgs, floor = next(iter(lat.values()))
    print(f"Latency: one message on stdin, whole process (spawn to exit), median wall ms of "
          f"{nruns:.0f} runs ({nmsgs:.0f} test messages x {nruns / nmsgs:.0f}), p90 and median CPU ms "
          f"(user + sys) in brackets; spawning /bin/true the same way takes {floor:.2f} ms (included). "
          f"Batch: all {nfiles} messages, median wall time of runs; 1 core = one process or thread, "
          f"2 cores = sparsetext's 2 threads or 2 concurrent processes on halves of the list; "
          f"CPU us/msg from the 2-core runs. Verdicts: test portion, from the batch output.\n")
    print("| tool | latency ms (p90; CPU) | latency: sparsetext faster by | batch msg/s, 1 core | "
          "batch msg/s, 2 cores | batch: sparsetext faster by | batch CPU us/msg | "
          "test spam caught | test ham called spam | unsure |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in lat:
        med, p90, _, cpu = lat[name][:4]
        (b1, _), (b2, c2) = batch[(name, "1")], batch[(name, "2")]
        sc, ns, fp, nh, un = ver[name]
        print(f"| {name} | {med:.2f} ({p90:.2f}; {cpu:.2f}) | {med / base_lat:.1f}x | "
              f"{b1:,.0f} | {b2:,.0f} | {base_b / b2:.1f}x | {c2:.0f} | "
              f"{sc}/{ns} | {fp}/{nh} | {un} |")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "split":
        split(*args)
    elif cmd == "latency":
        latency(args[0], int(args[1]), int(args[2]), args[3:])
    elif cmd == "verdicts":
        verdicts(*args)
    elif cmd == "table":
        table(*args)
    else:
        sys.exit(__doc__)
