"""ClaimBuster training data for the check-worthiness model: loading, a fixed
train/validation/test split, and cached embeddings + features.

The data is read from ``$VERIFY_EVAL_DATA/checkworthy/claimbuster.jsonl`` (GPL-3.0,
never copied into the repository); callers skip cleanly when it is absent.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from verify.audit.features import FEATURE_SPEC_VERSION, sentence_features
from verify.config import eval_data_path
from verify.errors import InputError

log = logging.getLogger(__name__)

RELATIVE_PATH = Path("checkworthy") / "claimbuster.jsonl"


@dataclass
class CheckworthyData:
    """Sentences, labels, split names and (optionally) their embeddings/features."""

    ids: list[str]
    texts: list[str]
    labels: np.ndarray
    splits: np.ndarray            # "train" | "val" | "test"
    embeddings: np.ndarray | None = None
    features: np.ndarray | None = None

    def mask(self, split: str) -> np.ndarray:
        """Boolean mask of one split."""
        return self.splits == split


def claimbuster_path(explicit: str | Path | None = None) -> Path | None:
    """The ClaimBuster file under the eval-data folder, or None when absent."""
    root = eval_data_path(explicit)
    if root is None:
        return None
    path = root / RELATIVE_PATH
    return path if path.is_file() else None


def split_of(item_id: str) -> str:
    """Deterministic 70/15/15 split from a hash of the item id."""
    bucket = int(hashlib.sha1(item_id.encode()).hexdigest()[:8], 16) % 100
    return "test" if bucket < 15 else "val" if bucket < 30 else "train"


def load_claimbuster(path: Path) -> CheckworthyData:
    """Read the JSONL file (fields id, text, checkworthy); bad lines name the line."""
    ids: list[str] = []
    texts: list[str] = []
    labels: list[int] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                ids.append(str(row["id"]))
                texts.append(str(row["text"]))
                labels.append(int(row["checkworthy"]))
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{lineno}: bad row ({exc})") from exc
    return CheckworthyData(ids, texts, np.asarray(labels, dtype=np.int64),
                           np.asarray([split_of(i) for i in ids]))


def with_vectors(data: CheckworthyData, path: Path, cache_dir: Path | None,
                 embedder: str = "minilm") -> CheckworthyData:
    """Attach embeddings and features, cached by file hash + feature spec + embedder."""
    from verify.embedders import get_embedder

    digest = hashlib.sha1(path.read_bytes()).hexdigest()[:12]
    cache = (cache_dir / f"claimbuster-{digest}-{FEATURE_SPEC_VERSION}-{embedder}.npz"
             if cache_dir else None)
    if cache and cache.is_file():
        stored = np.load(cache)
        data.embeddings, data.features = stored["embeddings"], stored["features"]
        log.info("loaded cached vectors from %s", cache)
        return data
    emb = get_embedder(embedder)
    data.embeddings = emb.embed_many(data.texts, batch_size=64, progress=True)
    data.features = sentence_features(data.texts)
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(cache, embeddings=data.embeddings, features=data.features)
    return data
