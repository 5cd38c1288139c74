"""docs/extending.md's examples run as written, each extension point reaching the checker's
path: a registered embedder indexes and searches, a stance model and a model folder are
built by name, a retriever serves ``ws.search``, a rating format imports, a platform keys."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from verify.embedders import EMBEDDERS, get_embedder
from verify.index import DENSE_BACKENDS
from verify.index.retrievers import RETRIEVERS
from verify.sources.formats import FORMATS
from verify.sources.keys import source_key
from verify.sources.platforms import reset_platforms
from verify.stance import STANCE_MODELS, get_stance_model
from verify.stance.model import MODEL_DIR
from verify.workspace import Workspace

DOC = Path(__file__).resolve().parent.parent / "docs" / "extending.md"


@pytest.fixture
def blocks() -> Iterator[list[str]]:
    found = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    yield [b.replace("/tmp/stance-v1k-out/candidate", str(MODEL_DIR)) for b in found]
    EMBEDDERS.unregister("hash")
    STANCE_MODELS.unregister("always-unrelated")
    RETRIEVERS.unregister("lexical-first")
    DENSE_BACKENDS.unregister("faiss-exact")
    FORMATS.pop("desk-json", None)
    reset_platforms(forget_registered=True)
    get_embedder.cache_clear()
    get_stance_model.cache_clear()


def test_the_extension_examples_run(blocks: list[str], tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(blocks) == 6
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The council said 338 civilians were killed in Pakistan.\n")
    (corpus / "b.txt").write_text("The league match ended 3-1 after two late goals.\n")
    monkeypatch.chdir(tmp_path)
    Path("ratings.json").write_text(json.dumps([{"domain": "example.org", "score": 72}]))
    env: dict[str, Any] = {"ws": Workspace.open(tmp_path / "ws")}

    exec(blocks[0], env)                                    # embedder
    ws = env["ws"]
    ws.ingest([str(corpus)])
    assert ws.settings.embedder == "hash"
    assert "338 civilians" in ws.search("civilians killed in Pakistan", k=1)[0].passage.text

    exec(blocks[1], env)                                    # stance models
    assert env["ws"].settings.stance_model == "always-unrelated"
    assert get_stance_model("always-unrelated").predict("a", "b").label == "unrelated"
    assert env["candidate"].precision == "fp32" and env["candidate"].path == MODEL_DIR

    exec(blocks[2], env)                                    # retrievers
    calls: list[int] = []
    search = env["LexicalFirst"].search
    monkeypatch.setattr(env["LexicalFirst"], "search",
                        lambda self, *a, **k: calls.append(1) or search(self, *a, **k))
    hits = env["ws"].search("civilians killed", k=2)
    assert calls and "338 civilians" in hits[0].passage.text

    exec(blocks[3], env)                                    # index backends
    assert env["ws"].index.backends == {"dense": "faiss-exact", "lexical": "bm25"}
    assert "338 civilians" in env["ws"].search("civilians killed", k=1)[0].passage.text
    reopened = Workspace(env["ws"].store, env["ws"].settings)   # reads the saved index back
    assert type(reopened.index.dense).__name__ == "AlwaysExact"
    assert reopened.rebuild_index().in_sync and reopened.index.backends["dense"] == "faiss-exact"

    exec(blocks[4], env)                                    # rating formats
    assert env["ws"].sources.reliability("example.org").value == pytest.approx(0.72)

    exec(blocks[5], env)                                    # platforms
    assert source_key("https://gab.com/SomeOne/posts/1") == "gab.com/@someone"
