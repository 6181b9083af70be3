#!/usr/bin/env python3
"""Writes hostile messages for the resource-bound measurements (README, "Hardening").

    scripts/hostile.py OUT_DIR

Each file is built to stress one part of the pipeline: MIME nesting depth, part
count, line length, decoded size, header count. Deterministic (no randomness
except a seeded generator), so the figures can be reproduced.
"""

import base64
import os
import random
import sys

MB = 1 << 20


def deep_multipart(levels):
    """`levels` multiparts, each the only part of the one above it."""
    head = ["From: a@example.com\nSubject: deep multipart\n"]
    tail = []
    for i in range(levels):
        head.append(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n')
        tail.append(f"\n--b{i}--\n")
    head.append("Content-Type: text/plain\n\ninnermost words\n")
    return "".join(head + tail[::-1]).encode()


def deep_rfc822(levels):
    """`levels` attached messages, each inside the one before."""
    parts = []
    for i in range(levels):
        parts.append(f"Subject: level {i}\nContent-Type: message/rfc822\n\n")
    parts.append("Subject: innermost\n\ninnermost words\n")
    return "".join(parts).encode()


def tiny_parts(count):
    """One multipart with `count` one-word parts."""
    out = [b"From: a@example.com\nSubject: many parts\nContent-Type: multipart/mixed; boundary=b\n\n"]
    out.append(b"--b\n\nword\n" * count)
    out.append(b"--b--\n")
    return b"".join(out)


def long_line(size):
    """A body that is one line of `size` bytes of words."""
    words = b"cheap pills now "
    return b"Subject: long line\n\n" + words * (size // len(words))


def long_header(size):
    """A Subject header of `size` bytes, folded never."""
    words = b"free money "
    return b"Subject: " + words * (size // len(words)) + b"\n\nbody\n"


def many_headers(count):
    return b"".join(b"X-H%d: value %d\n" % (i, i) for i in range(count)) + b"\nbody\n"


def base64_bomb(decoded):
    """A text part whose base64 decodes to `decoded` bytes of one repeated word."""
    text = (b"aaaa " * (decoded // 5 + 1))[:decoded]
    encoded = base64.encodebytes(text)
    return (
        b"Subject: bomb\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
        + encoded
    )


def qp_soft_breaks(size):
    """Quoted-printable that is nothing but soft line breaks."""
    return (
        b"Subject: qp\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\n"
        + b"=\n" * (size // 2)
    )


def html_nesting(levels):
    return (
        b"Subject: html\nContent-Type: text/html\n\n"
        + b"<div>" * levels
        + b"deep text"
        + b"</div>" * levels
    )


def many_urls(count):
    return b"Subject: urls\n\n" + b"".join(
        b"http://h%d.example%d.com/x " % (i, i % 97) for i in range(count)
    )


def encoded_words(count):
    return (
        b"Subject: " + b"=?utf-8?b?w6k=?= " * count + b"\n\nbody\n"
    )


def random_bytes(size):
    return random.Random(1).randbytes(size)


CASES = [
    ("deep-multipart-10k", lambda: deep_multipart(10_000)),
    ("deep-rfc822-10k", lambda: deep_rfc822(10_000)),
    ("tiny-parts-1m", lambda: tiny_parts(1_000_000)),
    ("one-line-100mb", lambda: long_line(100 * MB)),
    ("header-line-100mb", lambda: long_header(100 * MB)),
    ("headers-1m", lambda: many_headers(1_000_000)),
    ("base64-3mb-text", lambda: base64_bomb(3 * MB)),
    ("qp-soft-breaks-4mb", lambda: qp_soft_breaks(4 * MB)),
    ("html-nesting-1m", lambda: html_nesting(1_000_000)),
    ("urls-200k", lambda: many_urls(200_000)),
    ("encoded-words-200k", lambda: encoded_words(200_000)),
    ("random-100mb", lambda: random_bytes(100 * MB)),
]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, make in CASES:
        data = make()
        with open(os.path.join(out, name + ".eml"), "wb") as f:
            f.write(data)
        print(f"{name}\t{len(data)}")


if __name__ == "__main__":
    main()
