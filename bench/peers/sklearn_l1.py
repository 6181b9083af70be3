"""scikit-learn's CountVectorizer(binary=True) on the raw bytes (read as latin-1)
+ L1 logistic regression (LIBLINEAR, its default tolerance) on the random split of bench/peers.sh,
for the README's notes on method. Also writes the two matrices as svmlight
(OUT/sk_train.svm, OUT/sk_test.svm) so that sparsetext's exact path can be
evaluated on the same features:

  python bench/peers/sklearn_l1.py SPLIT_DIR OUT_DIR
  CV=0 RATIO=1e-6 FDEV=0 MAXDEV=1 cargo run --release --example accuracy -- OUT/sk_train.svm OUT/sk_test.svm

SPLIT_DIR holds {train,test}/{ham,spam} (bench/classify/harness.py split).
Needs scikit-learn (bench/venv.sh).
"""
import os
import sys

import numpy as np
from sklearn.datasets import dump_svmlight_file
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score

split, out = sys.argv[1:3]


def load(part):
    docs, y = [], []
    for label, value in (("ham", 0), ("spam", 1)):
        d = os.path.join(split, part, label)
        for f in sorted(os.listdir(d)):
            docs.append(open(os.path.join(d, f), "rb").read().decode("latin-1"))
            y.append(value)
    return docs, np.array(y)


train_docs, ytr = load("train")
test_docs, yte = load("test")
cv = CountVectorizer(binary=True)
xtr = cv.fit_transform(train_docs)
xte = cv.transform(test_docs)
print(f"train {xtr.shape[0]} x {xtr.shape[1]}, {xtr.nnz} non-zeros", flush=True)
os.makedirs(out, exist_ok=True)
dump_svmlight_file(xtr, 2 * ytr - 1, os.path.join(out, "sk_train.svm"))
dump_svmlight_file(xte, 2 * yte - 1, os.path.join(out, "sk_test.svm"))
folds = StratifiedKFold(5, shuffle=True, random_state=0)
for c in [1, 3, 10, 30, 100]:
    model = lambda: LogisticRegression(penalty="l1", solver="liblinear", C=c, max_iter=1000)
    cv_auc = cross_val_score(model(), xtr, ytr, cv=folds, scoring="roc_auc").mean()
    fitted = model().fit(xtr, ytr)
    p = fitted.predict_proba(xte)[:, 1]
    fpr = ((p >= 0.5) & (yte == 0)).sum() / (yte == 0).sum()
    fnr = ((p < 0.5) & (yte == 1)).sum() / (yte == 1).sum()
    nnz = (fitted.coef_ != 0).sum()
    print(f"C={c} cvAUC={cv_auc:.5f} testAUC={roc_auc_score(yte, p):.5f} "
          f"FPR={100 * fpr:.2f}% FNR={100 * fnr:.2f}% words={nnz}", flush=True)
