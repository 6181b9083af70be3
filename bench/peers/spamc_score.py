"""Score messages with a running spamd through spamc, two at a time, and write
two rows per message for bench/peers/harness.py score (standard library only).

  spamc_score.py SOCKET FILELIST RULES_OUT BAYES_OUT

spamd's configuration (bench/peers/spamassassin.sh) adds the headers read here:
X-Spam-Status (SpamAssassin's verdict: score >= required_score), X-Spam-Tests
(_TESTSSCORES_: each rule hit with its score) and X-Spam-Bayes (_BAYES_, the
Bayes probability of spam). Both outputs are `verdict<TAB>score<TAB>name`:
  RULES_OUT  rules + Bayes: SpamAssassin's verdict; the score is the sum of the
             rules' scores (X-Spam-Score rounds it to one decimal, which would
             tie many messages);
  BAYES_OUT  Bayes alone: the probability, spam at 0.99 and above. That is the
             BAYES_99 bucket, the highest one SpamAssassin scores, and the spam
             cut-off bogofilter uses for the same chi-square combining of token
             probabilities (Robinson-Fisher); 0.5 would call spam whatever
             leans at all towards spam, which no chi-square filter does.
"""
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.parser import BytesHeaderParser

BAYES_SPAM = 0.99


def check(sock, path):
    with open(path, "rb") as fh:
        out = subprocess.run(["spamc", "-x", "--headers", "-U", sock], stdin=fh,
                             capture_output=True, check=True).stdout
    headers = BytesHeaderParser(policy=policy.compat32).parsebytes(out)
    status = " ".join(str(headers["X-Spam-Status"]).split())
    tests = " ".join(str(headers["X-Spam-Tests"]).split())
    score = sum(float(t.rsplit("=", 1)[1]) for t in tests.split(",") if "=" in t)
    verdict = "spam" if status.startswith("Yes") else "ham"
    return verdict, score, float(headers["X-Spam-Bayes"])


def main(sock, filelist, rules_out, bayes_out):
    paths = open(filelist).read().splitlines()
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: check(sock, p), paths))
    if all(p == 0.5 for _, _, p in results):
        sys.exit("spamc_score.py: Bayes said 0.5 to every message: it did not run "
                 "(fewer than bayes_min_ham_num or bayes_min_spam_num messages learned?)")
    with open(rules_out, "w") as rules, open(bayes_out, "w") as bayes:
        for path, (verdict, score, p) in zip(paths, results):
            rules.write(f"{verdict}\t{score!r}\t{path}\n")
            bayes.write(f"{'spam' if p >= BAYES_SPAM else 'ham'}\t{p!r}\t{path}\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
