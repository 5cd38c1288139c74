"""Shared fixtures: deterministic fake models (registered through the real
registries) for fast tests, and a session-scoped real-model demo workspace."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from verify.config import Settings, demo_corpus_path
from verify.embedders import EMBEDDERS, Embedder
from verify.stance.base import STANCE_MODELS, StanceModel

TOKEN = re.compile(r"[a-z0-9]+")
NEGATIONS = {"not", "no", "never", "denied", "false", "none"}


class FakeEmbedder(Embedder):
    """Hashed bag of words: similar wording -> similar vectors. Deterministic."""

    model_id = "fake-hash-64"
    dimension = 64

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in TOKEN.findall(text.lower()):
                h = int(hashlib.md5(tok.encode()).hexdigest(), 16)
                out[i, h % self.dimension] += 1.0 if (h >> 8) % 2 else -1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
            if not norm:
                out[i, 0] = 1.0
        return out


class FakeStanceModel(StanceModel):
    """Word overlap decides relatedness; a negation word or a differing number refutes."""

    model_id = "fake-stance"
    version = "test"

    def predict_batch(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        rows = []
        for claim, ev in zip(claims, evidence, strict=True):
            c, e = set(TOKEN.findall(claim.lower())), set(TOKEN.findall(ev.lower()))
            overlap = len(c & e) / max(1, len(c))
            c_nums = {t for t in c if t.isdigit()}
            e_nums = {t for t in e if t.isdigit()}
            contradict = bool((c & NEGATIONS) ^ (e & NEGATIONS)) or bool(
                c_nums and e_nums and not c_nums & e_nums)
            if overlap < 0.3:
                rows.append([0.05, 0.05, 0.9])
            elif contradict:
                rows.append([0.1, 0.8, 0.1])
            else:
                rows.append([0.8, 0.1, 0.1])
        return np.asarray(rows, dtype=np.float32)


@pytest.fixture(scope="session", autouse=True)
def _register_fakes() -> Iterator[None]:
    EMBEDDERS.register("fake", FakeEmbedder, replace=True)
    STANCE_MODELS.register("fake", FakeStanceModel, replace=True)
    yield


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own VERIFY_HOME; the desk's default of not fetching local pages
    (app.py sets VERIFY_FETCH_PRIVATE=0 for its process) never leaks from one test into
    the next, and the tests' pages are on 127.0.0.1. A desk run in this process closes its
    workspace after every run (VERIFY_DESK_KEEP_S=0): tests that keep it say so."""
    monkeypatch.setenv("VERIFY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("VERIFY_FETCH_PRIVATE", "1")
    monkeypatch.setenv("VERIFY_DESK_KEEP_S", "0")


@pytest.fixture
def fake_settings() -> Settings:
    """Settings that use the fake embedder and stance model."""
    return Settings(embedder="fake", stance_model="fake")


@pytest.fixture
def ws(fake_settings: Settings):
    """An in-memory workspace with fake models."""
    from verify import Workspace

    workspace = Workspace.in_memory(fake_settings)
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def real_ws(tmp_path_factory: pytest.TempPathFactory):
    """The demo corpus ingested once with the real MiniLM, FAISS and DuckDB."""
    from verify import Workspace

    path = tmp_path_factory.mktemp("real") / "demo"
    workspace = Workspace.open(path)
    workspace.ingest([demo_corpus_path()])
    yield workspace
    workspace.close()
