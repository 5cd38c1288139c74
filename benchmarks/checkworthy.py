"""Check-worthiness on the held-out ClaimBuster test split: the shipped model beside
two baselines ("has a number", TF-IDF + logistic regression) and one ablation
(the hand-made features alone).

    python benchmarks/checkworthy.py [--data /path/to/shared/data]

Precision, recall and F1 are for the check-worthy class at each system's threshold
(the shipped model's own; baselines' chosen on the validation split for F1).
PR-AUC is average precision. Skips cleanly when the data is absent.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parent.parent))  # the training/ folder
from _common import Timer, print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HAS_NUMBER = re.compile(r"\d")


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score

    from training.cwdata import claimbuster_path, load_claimbuster, with_vectors
    from verify.audit.checkworthy import best_f1_threshold, fit_checkworthy, load_checkworthy_model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="eval data folder (default: $VERIFY_EVAL_DATA)")
    args = parser.parse_args()
    path = claimbuster_path(args.data)
    if path is None:
        print("ClaimBuster data not found (pass --data or set VERIFY_EVAL_DATA); skipping")
        return
    with Timer() as t_vec:
        data = with_vectors(load_claimbuster(path), path, ROOT / "benchmarks" / "artifacts")
    assert data.embeddings is not None and data.features is not None  # noqa: S101 - script
    tr, va, te = data.mask("train"), data.mask("val"), data.mask("test")
    y = data.labels
    texts = np.asarray(data.texts, dtype=object)
    rows = []

    def report(name: str, scores: np.ndarray, threshold: float, note: str) -> None:
        pred = scores >= threshold
        rows.append([name, precision_score(y[te], pred, zero_division=0),
                     recall_score(y[te], pred), f1_score(y[te], pred),
                     average_precision_score(y[te], scores), f"{threshold:.3f}", note])

    # baseline 1: has a number
    has_num = np.asarray([1.0 if HAS_NUMBER.search(s) else 0.0 for s in texts])
    report("has a number", has_num[te], 0.5, "rule")

    # baseline 2: TF-IDF + logistic regression (threshold on validation)
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x_tr = vec.fit_transform(texts[tr])
    clf = LogisticRegression(C=3.0, max_iter=3000, class_weight="balanced").fit(x_tr, y[tr])
    thr, _ = best_f1_threshold(clf.predict_proba(vec.transform(texts[va]))[:, 1], y[va])
    report("TF-IDF + LR", clf.predict_proba(vec.transform(texts[te]))[:, 1], thr, "1-2 grams, C=3")

    # ablation: hand-made features only
    feat_model = fit_checkworthy(None, data.features[tr], y[tr])
    thr, _ = best_f1_threshold(feat_model.score_arrays(None, data.features[va]), y[va])
    report("features only (LR)", feat_model.score_arrays(None, data.features[te]), thr,
           f"{data.features.shape[1]} features")

    # the shipped model
    model = load_checkworthy_model()
    report("shipped: MiniLM + features (LR)", model.score_arrays(data.embeddings[te], data.features[te]),
           model.threshold, "verify/models/checkworthy/model.json")

    print(f"ClaimBuster held-out test split: {int(te.sum())} sentences, "
          f"{int(y[te].sum())} check-worthy ({y[te].mean():.1%}); train {int(tr.sum())}, "
          f"val {int(va.sum())}. Vectors ready in {t_vec.seconds:.1f} s (cached after first run).")
    print_table("Check-worthiness (check-worthy class)",
                ["system", "precision", "recall", "F1", "PR-AUC", "threshold", "note"], rows)
    base = max(r[3] for r in rows[:2])
    print(f"\nF1 ratio, shipped model / best baseline: {rows[-1][3] / base:.2f}x")


if __name__ == "__main__":
    main()
