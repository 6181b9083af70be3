#!/usr/bin/env python3
"""The solver benchmark's second matrix, made by another tool than sparsetext.

Binary bag of words of the SpamAssassin public corpus raw messages:
scikit-learn CountVectorizer(binary=True, min_df=a.min_df) over the raw files decoded
as latin-1, saved as svmlight (+1 spam, -1 ham, 1-based feature ids).

    make_matrix.py CORPUS_DIR OUT.svm [--portion train|all] [--limit N --seed S --min-df K]

`--portion train` keeps the "training portion": messages whose file-name MD5
(the part after `NNNNN.`) does not start with 0, 1 or 2. `--limit N` keeps a
seeded random N of them and `--min-df K` drops words seen in fewer than K
of them (for small test fixtures).
"""
import argparse
import glob
import os
import random
import re

import numpy as np
from sklearn.datasets import dump_svmlight_file
from sklearn.feature_extraction.text import CountVectorizer

# Both layouts of the corpus: as published (easy_ham, ..., spam_2; files
# NNNNN.<md5>) and as once repackaged (easy-ham-1, ..., spam-2; NNNNN.<md5>.txt).
FOLDERS = ["easy_ham", "easy_ham_2", "hard_ham", "spam", "spam_2",
           "easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"]
NAME = re.compile(r"^\d{5}\.([0-9a-f]{32})(\.txt)?$")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--portion", choices=["train", "all"], default="train")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--min-df", type=int, default=1)
    a = ap.parse_args()
    files = []
    for folder in FOLDERS:
        for path in sorted(glob.glob(os.path.join(a.corpus, folder, "*"))):
            m = NAME.match(os.path.basename(path))
            if m is None:
                continue
            if a.portion == "train" and m.group(1)[0] in "012":
                continue
            files.append((path, folder.startswith("spam")))
    if a.limit:
        random.Random(a.seed).shuffle(files)
        files = sorted(files[: a.limit])
    texts = [open(p, "rb").read().decode("latin-1") for p, _ in files]
    y = np.array([1 if s else -1 for _, s in files])
    x = CountVectorizer(binary=True, min_df=a.min_df).fit_transform(texts)
    dump_svmlight_file(x, y, a.out, zero_based=False)
    print(f"{a.out}: {x.shape[0]} messages, {x.shape[1]} features, {x.nnz} non-zeros, "
          f"{int((y > 0).sum())} spam")


if __name__ == "__main__":
    main()
