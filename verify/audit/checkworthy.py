"""Check-worthiness: a logistic regression over MiniLM sentence embeddings plus
hand-made features (figures, dates, named actors, comparatives, attribution,
first-person/opinion markers).

The fitted model ships as JSON (coefficients + feature spec), so loading needs
neither pickle nor scikit-learn; it records the scikit-learn version it was fit
with, and refuses to load when its feature spec or embedder does not match.

Example:
    from verify.audit.checkworthy import load_checkworthy_model
    model = load_checkworthy_model()
    model.score(["CSIS estimated that IS-K had grown to roughly 800 fighters"])
    # -> array([0.93], dtype=float32)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from verify.audit.features import FEATURE_NAMES, FEATURE_SPEC_VERSION, features_for_docs
from verify.errors import ModelLoadError

log = logging.getLogger(__name__)

MODEL_FORMAT = "verify-checkworthy-logreg-json"
MODEL_FORMAT_VERSION = 1
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "checkworthy" / "model.json"


@dataclass
class CheckworthyModel:
    """Fitted coefficients: ``sigmoid([embedding, scaled features] @ coef + intercept)``."""

    coef: np.ndarray
    intercept: float
    feature_mean: np.ndarray
    feature_scale: np.ndarray
    threshold: float
    embedder: str                     # registry name, e.g. "minilm"
    embedder_model_id: str
    embedding_dim: int
    use_embedding: bool = True
    meta: dict[str, Any] = field(default_factory=dict)

    # ---- scoring ---------------------------------------------------------------
    def design_matrix(self, embeddings: np.ndarray | None, features: np.ndarray) -> np.ndarray:
        """Stack embeddings and standardised features as the model expects."""
        scaled = (features - self.feature_mean) / self.feature_scale
        if not self.use_embedding:
            return scaled.astype(np.float32)
        if embeddings is None:
            raise ValueError("this check-worthiness model needs sentence embeddings")
        return np.hstack([embeddings, scaled]).astype(np.float32)

    def score_arrays(self, embeddings: np.ndarray | None, features: np.ndarray) -> np.ndarray:
        """Probabilities that each sentence is check-worthy."""
        if len(features) == 0:
            return np.zeros(0, dtype=np.float32)
        z = self.design_matrix(embeddings, features) @ self.coef + self.intercept
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def embed(self, sentences: Sequence[str]) -> np.ndarray | None:
        """Sentence embeddings with the embedder the model was fit on (None if unused)."""
        if not self.use_embedding:
            return None
        from verify.embedders import get_embedder

        emb = get_embedder(self.embedder)
        if emb.model_id != self.embedder_model_id or emb.dimension != self.embedding_dim:
            raise ModelLoadError(
                f"check-worthiness model was fit on embeddings from {self.embedder_model_id} "
                f"({self.embedding_dim}-d) but embedder {self.embedder!r} is {emb.model_id} "
                f"({emb.dimension}-d)",
                hint="retrain with scripts/train_checkworthy.py")
        return emb.embed_many(list(sentences), batch_size=64)

    def score_docs(self, sentences: Sequence[str], docs: Sequence[Any]) -> np.ndarray:
        """Score sentences whose spaCy docs/spans are already available."""
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        return self.score_arrays(self.embed(sentences), features_for_docs(docs))

    def score(self, sentences: Sequence[str]) -> np.ndarray:
        """Score standalone sentences (parses them with spaCy, batched)."""
        from verify.audit.nlp import get_nlp

        docs = list(get_nlp().pipe(list(sentences), batch_size=256))
        return self.score_docs(sentences, docs)

    def __call__(self, sentences: Sequence[str]) -> np.ndarray:
        return self.score(sentences)

    # ---- persistence -----------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The JSON document that ships in the package."""
        return {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION,
            "feature_spec_version": FEATURE_SPEC_VERSION,
            "feature_names": list(FEATURE_NAMES),
            "embedder": self.embedder,
            "embedder_model_id": self.embedder_model_id,
            "embedding_dim": self.embedding_dim,
            "use_embedding": self.use_embedding,
            "threshold": self.threshold,
            "intercept": self.intercept,
            "coef": [round(float(c), 7) for c in self.coef],
            "feature_mean": [float(v) for v in self.feature_mean],
            "feature_scale": [float(v) for v in self.feature_scale],
            **{"meta": self.meta},
        }

    def save(self, path: str | Path) -> Path:
        """Write the model JSON."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")
        return target


def model_from_json(data: dict[str, Any], source: str = "<dict>") -> CheckworthyModel:
    """Validate a model document and build the model; clear errors on any mismatch."""
    if data.get("format") != MODEL_FORMAT or data.get("format_version") != MODEL_FORMAT_VERSION:
        raise ModelLoadError(
            f"{source} is not a {MODEL_FORMAT} v{MODEL_FORMAT_VERSION} file "
            f"(found {data.get('format')!r} v{data.get('format_version')!r})")
    if (data.get("feature_spec_version") != FEATURE_SPEC_VERSION
            or tuple(data.get("feature_names", ())) != FEATURE_NAMES):
        raise ModelLoadError(
            f"{source} was fit with feature spec {data.get('feature_spec_version')!r}, "
            f"this code computes {FEATURE_SPEC_VERSION!r}",
            hint="retrain with scripts/train_checkworthy.py")
    n_feat = len(FEATURE_NAMES)
    dim = int(data["embedding_dim"]) if data.get("use_embedding", True) else 0
    coef = np.asarray(data["coef"], dtype=np.float32)
    if coef.shape != (dim + n_feat,):
        raise ModelLoadError(f"{source}: {coef.shape[0]} coefficients, expected {dim + n_feat}")
    meta = dict(data.get("meta", {}))
    recorded = meta.get("sklearn_version")
    try:
        import sklearn

        if recorded and recorded != sklearn.__version__:
            log.info("check-worthiness model fit with scikit-learn %s, running %s (JSON "
                     "coefficients; inference does not use scikit-learn)", recorded,
                     sklearn.__version__)
    except ImportError:  # pragma: no cover
        pass
    return CheckworthyModel(
        coef=coef, intercept=float(data["intercept"]),
        feature_mean=np.asarray(data["feature_mean"], dtype=np.float32),
        feature_scale=np.asarray(data["feature_scale"], dtype=np.float32),
        threshold=float(data["threshold"]), embedder=str(data["embedder"]),
        embedder_model_id=str(data["embedder_model_id"]), embedding_dim=int(data["embedding_dim"]),
        use_embedding=bool(data.get("use_embedding", True)), meta=meta)


def load_checkworthy_model(path: str | Path | None = None) -> CheckworthyModel:
    """Load the shipped model (or one at ``path``)."""
    return _load_cached(str(Path(path) if path else DEFAULT_MODEL_PATH))


@lru_cache(maxsize=4)
def _load_cached(path: str) -> CheckworthyModel:
    target = Path(path)
    if not target.is_file():
        raise ModelLoadError(f"check-worthiness model not found at {target}",
                             hint="train it with scripts/train_checkworthy.py")
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot read check-worthiness model {target}: {exc}") from exc
    return model_from_json(data, source=str(target))


# ---- training ------------------------------------------------------------------------
def fit_checkworthy(embeddings: np.ndarray | None, features: np.ndarray, labels: np.ndarray, *,
                    C: float = 1.0, embedder: str = "minilm", embedder_model_id: str = "",
                    threshold: float = 0.5, meta: dict[str, Any] | None = None) -> CheckworthyModel:
    """Fit the logistic regression (scikit-learn) and return the JSON-able model."""
    import sklearn
    from sklearn.linear_model import LogisticRegression

    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-6] = 1.0
    use_embedding = embeddings is not None
    dim = int(embeddings.shape[1]) if embeddings is not None else 0
    model = CheckworthyModel(
        coef=np.zeros(dim + features.shape[1], dtype=np.float32), intercept=0.0,
        feature_mean=mean.astype(np.float32), feature_scale=scale.astype(np.float32),
        threshold=threshold, embedder=embedder, embedder_model_id=embedder_model_id,
        embedding_dim=dim, use_embedding=use_embedding,
        meta={**(meta or {}), "sklearn_version": sklearn.__version__, "C": C,
              "fitted_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")})
    clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced")
    clf.fit(model.design_matrix(embeddings, features), labels)
    model.coef = clf.coef_[0].astype(np.float32)
    model.intercept = float(clf.intercept_[0])
    return model


def best_f1_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The threshold that maximises F1 of the positive class, and that F1."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    best = int(np.argmax(f1[:-1])) if len(thresholds) else 0
    return (float(thresholds[best]) if len(thresholds) else 0.5), float(f1[best])
