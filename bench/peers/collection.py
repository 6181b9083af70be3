"""How much of a sparsetext model's weight sits on features of how the corpus
was collected rather than of what the mail says (bench/peers.sh; standard
library only).

  collection.py WORDS TRAIN_DIR

WORDS is `sparsetext words -m MODEL` (weight<TAB>term, every kept feature);
TRAIN_DIR holds the training messages in {ham,spam}. Prints the share of the
model's total absolute weight on collection features and the 10 heaviest.

A term is `field:word` when it starts with a header field name (a letter, then
letters, digits or `-`) and a colon, else a body word; `received:@` counts as
the field `received`. A collection feature's word is:
  host    (field `received` only) one of the receiving side's own host names;
  mailbox (field `received` only) one of the receiving side's own mailboxes;
  year    19xx or 20xx;
  zone    a zone offset: -0700 or +0100, or in a header field also 0500
          (the tokenizer drops the sign; hours 00-14, minutes 00, 30 or 45);
  time    12:34:56 or a piece of one with a colon (12:34);
  digits  any other word of digits only.
The receiving side's own names come from the training messages' three topmost
Received headers (the hops at the collecting site; lower hops are the senders'
and the mailing lists' servers): host names in the `by` clause, and in the
`from` clause when the hop comes from 127.0.0.1 (one machine of the site
talking to itself, e.g. `from localhost (jalapeno [127.0.0.1])`), with their
parent domains and their labels except top-level domains; and mailboxes, the
local part of the address in the `for` clause (the corpus's anonymized
recipient, `for <zzzz@localhost>`). A name is kept when at least 5% of the
training ham or 5% of the training spam have it (either class: the two were
partly collected through different servers).
"""
import os
import re
import sys
from email import policy
from email.parser import BytesHeaderParser

MIN_SHARE = 0.05
TOP_HOPS = 3
HOST = r"([a-z0-9][a-z0-9.-]*[a-z][a-z0-9.-]*)"  # has a letter: not an IP address
BY = re.compile(r"\bby\s+" + HOST)
FOR = re.compile(r"\bfor\s+<?([^\s<>@;]+)@")
LOOPBACK_FROM = re.compile(r"^\s*from\s+" + HOST + r"(?:\s+\(" + HOST + r")?\s*\(?\[127\.0\.0\.1\]")
FIELD = re.compile(r"([a-z][a-z0-9-]*):@?(.*)")
ZONE = r"(0\d|1[0-4])(00|30|45)"
KINDS = [
    ("year", re.compile(r"(19|20)\d\d")),
    ("zone", re.compile(r"[+-]" + ZONE)),
    ("time", re.compile(r"\d\d?(:\d\d){1,2}")),
    ("digits", re.compile(r"\d+")),
]


def site_names(hops):
    """('host', name) and ('mailbox', local part) pairs of a message's top hops."""
    names = set()
    for hop in hops[:TOP_HOPS]:
        hop = " ".join(str(hop).lower().split())
        names.update(("host", n.strip(".")) for n in BY.findall(hop))
        m = LOOPBACK_FROM.match(hop)
        if m:
            names.update(("host", n.strip(".")) for n in m.groups() if n)
        names.update(("mailbox", n) for n in FOR.findall(hop))
    return names


def receiving_side(train_dir):
    """The names kept, and {word: 'host' | 'mailbox'} with the hosts' parent
    domains and labels (no TLD)."""
    kept = set()
    for label in ("ham", "spam"):
        d = os.path.join(train_dir, label)
        files = os.listdir(d)
        counts = {}
        for f in files:
            with open(os.path.join(d, f), "rb") as fh:
                hops = BytesHeaderParser(policy=policy.compat32).parse(fh).get_all("Received") or []
            for name in site_names(hops):
                counts[name] = counts.get(name, 0) + 1
        kept |= {n for n, c in counts.items() if c >= MIN_SHARE * len(files)}
    words = {}
    for kind, name in kept:
        if kind == "mailbox":
            words[name] = kind
            continue
        labels = name.split(".")
        for word in [".".join(labels[i:]) for i in range(len(labels) - 1)] + labels[:-1] + labels[:1]:
            words[word] = kind  # the name, its parent domains, its labels
    return kept, words


def kind(term, host_words):
    m = FIELD.fullmatch(term)
    field, word = m.groups() if m else (None, term)
    if field == "received" and word in host_words:
        return host_words[word]
    if field and re.fullmatch(ZONE, word):
        return "zone"
    return next((k for k, pattern in KINDS if pattern.fullmatch(word)), None)


def main(words_file, train_dir):
    kept, host_words = receiving_side(train_dir)
    features = []
    for line in open(words_file):
        weight, term = line.rstrip("\n").split("\t", 1)
        features.append((abs(float(weight)), float(weight), term))
    total = sum(a for a, _, _ in features)
    by_kind = {}
    chosen = []
    for a, w, term in features:
        k = kind(term, host_words)
        if k:
            by_kind[k] = by_kind.get(k, 0.0) + a
            chosen.append((a, w, term, k))
    share = 100 * sum(by_kind.values()) / total
    parts = ", ".join(f"{k} {100 * v / total:.1f}%" for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1]))
    print(f"sparsetext model: {share:.1f}% of its total |weight| ({total:.1f}, {len(features)} features) "
          f"is on collection features ({len(chosen)} features: {parts})")
    hosts, mailboxes = ([name for k, name in sorted(kept) if k == kind] for kind in ("host", "mailbox"))
    print(f"receiving side's own names (>= {MIN_SHARE:.0%} of training ham or spam): hosts "
          f"{', '.join(hosts)}; mailboxes {', '.join(mailboxes)}")
    print("heaviest 10: " + ", ".join(f"{term} {w:+.2f} ({k})" for _, w, term, k in sorted(chosen, reverse=True)[:10]))


if __name__ == "__main__":
    main(*sys.argv[1:])
