"""Train the shipped check-worthiness model on ClaimBuster (GPL-3.0 data).

Usage:
    python scripts/train_checkworthy.py [--data /path/to/shared/data] [--out verify/models/checkworthy/model.json]

Fits logistic regression over MiniLM embeddings + hand-made features on the
train split, picks C and the decision threshold (best F1 of the check-worthy
class) on the validation split, and reports the held-out test split.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))  # the training/ folder (training.cwdata)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score

    from training.cwdata import claimbuster_path, load_claimbuster, with_vectors
    from verify.audit.checkworthy import DEFAULT_MODEL_PATH, best_f1_threshold, fit_checkworthy
    from verify.embedders import get_embedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="eval data folder (default: $VERIFY_EVAL_DATA)")
    parser.add_argument("--out", default=str(DEFAULT_MODEL_PATH))
    parser.add_argument("--cache", default=str(ROOT / "benchmarks" / "artifacts"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")

    path = claimbuster_path(args.data)
    if path is None:
        print("ClaimBuster data not found (set VERIFY_EVAL_DATA); nothing trained.")
        return 0
    data = with_vectors(load_claimbuster(path), path, Path(args.cache))
    assert data.embeddings is not None and data.features is not None  # noqa: S101 - script
    tr, va, te = data.mask("train"), data.mask("val"), data.mask("test")
    y = data.labels
    print(f"rows: train {tr.sum()}, val {va.sum()}, test {te.sum()}; positives {y.mean():.3f}")

    best = None
    for c in (0.05, 0.1, 0.3, 1.0, 3.0):
        model = fit_checkworthy(data.embeddings[tr], data.features[tr], y[tr], C=c)
        val_scores = model.score_arrays(data.embeddings[va], data.features[va])
        thr, f1 = best_f1_threshold(val_scores, y[va])
        ap = average_precision_score(y[va], val_scores)
        print(f"C={c:<5} val F1={f1:.3f} at threshold {thr:.3f}  val PR-AUC={ap:.3f}")
        if best is None or f1 > best[0]:
            best = (f1, c, thr)
    assert best is not None  # noqa: S101 - script
    _, c, thr = best
    emb = get_embedder("minilm")
    model = fit_checkworthy(
        data.embeddings[tr], data.features[tr], y[tr], C=c, embedder="minilm",
        embedder_model_id=emb.model_id, threshold=thr,
        meta={"trained_on": "ClaimBuster (utaresearch/claimbuster-spotter), train split, GPL-3.0",
              "split": "sha1(id) % 100: <15 test, <30 val, else train",
              "n_train": int(tr.sum())})
    scores = model.score_arrays(data.embeddings[te], data.features[te])
    pred = scores >= thr
    metrics = {
        "test_precision": round(float(precision_score(y[te], pred)), 4),
        "test_recall": round(float(recall_score(y[te], pred)), 4),
        "test_f1": round(float(f1_score(y[te], pred)), 4),
        "test_pr_auc": round(float(average_precision_score(y[te], scores)), 4),
        "n_test": int(te.sum()),
    }
    model.meta["metrics"] = metrics
    out = model.save(args.out)
    print(f"chose C={c}, threshold={thr:.3f}; held-out test: {metrics}")
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
