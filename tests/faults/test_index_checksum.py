"""Issue 20, items 7 and 12 (fsync): damage to the index files, and durability.

Before: a ``dense.faiss`` whose vectors were zeroed (same size) loaded, ``in_sync: True``,
every dense score 0.0; nothing was fsynced but ``CURRENT`` itself. Now the metadata beside
the index records each file's sha256, checked on load (``IndexDamagedError``), and every
file and folder is fsynced before ``CURRENT`` moves.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import verify.index.hybrid as hybrid
from verify import Workspace
from verify.config import Settings
from verify.errors import IndexDamagedError
from verify.index import HybridIndex

from cli_server import write_corpus  # isort: skip


def build(tmp_path: Path) -> Path:
    write_corpus(tmp_path / "corpus", 6)
    folder = tmp_path / "ws"
    with Workspace.open(folder, settings=Settings(embedder="fake", stance_model="fake")) as ws:
        ws.ingest([tmp_path / "corpus"], progress=False)
    return folder


def generation(folder: Path) -> Path:
    root = folder / "index"
    return root / (root / "CURRENT").read_text().strip()


def test_zeroed_vectors_are_refused_not_searched(tmp_path: Path) -> None:
    folder = build(tmp_path)
    gen = generation(folder)
    with Workspace.open(folder, settings=Settings(embedder="fake", stance_model="fake")) as ws:
        ids, vectors = ws.index.dense.all_vectors()
    data = (gen / "dense.faiss").read_bytes()
    start = data.index(vectors[0].tobytes())       # the vectors, stored one after another
    size = vectors.nbytes
    damaged = data[:start] + bytes(size) + data[start + size:]
    assert len(damaged) == len(data)
    (gen / "dense.faiss").write_bytes(damaged)
    with Workspace.open(folder, settings=Settings(embedder="fake", stance_model="fake")) as ws:
        with pytest.raises(IndexDamagedError, match=r"dense\.faiss is damaged") as info:
            ws.search("council homes district 3")
        assert "verify index --rebuild" in info.value.user_message()
        from verify.index import rebuild

        assert rebuild(ws).in_sync                  # the way out the hint names works
        hits = ws.search("council homes district 3", k=3)
        assert hits and all((h.dense_score or 0.0) != 0.0 for h in hits)


def test_every_index_file_carries_a_checksum(tmp_path: Path) -> None:
    folder = build(tmp_path)
    gen = generation(folder)
    meta = json.loads((gen / "dense.meta.json").read_text())
    on_disk = sorted(p.relative_to(gen).as_posix() for p in gen.rglob("*")
                     if p.is_file() and p.name != "dense.meta.json")
    assert sorted(meta["files"]) == on_disk and "dense.faiss" in on_disk
    assert "bm25/params.index.json" in on_disk or any(p.startswith("bm25/") for p in on_disk)
    store = gen / "store.npz"
    data = bytearray(store.read_bytes())
    data[len(data) // 2] ^= 0xFF                         # one byte of a store file
    store.write_bytes(bytes(data))
    with Workspace.open(folder, settings=Settings(embedder="fake", stance_model="fake")) as ws, \
            pytest.raises(IndexDamagedError, match="store.npz"):
        HybridIndex.for_workspace(ws)


def test_files_and_folders_are_fsynced_before_current_moves(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: object, dst: object) -> None:
        events.append(("replace", str(dst)))
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(hybrid.os, "fsync", fsync)
    monkeypatch.setattr(hybrid.os, "replace", replace)
    folder = build(tmp_path)
    root = (folder / "index").resolve()
    gen = generation(folder).resolve()
    pointer = max(i for i, (kind, path) in enumerate(events)
                  if kind == "replace" and path == str(root / "CURRENT"))
    before = {path for kind, path in events[:pointer] if kind == "fsync"}
    tmp_name = f".{gen.name}.tmp"
    renamed = {p.replace(tmp_name, gen.name) for p in before}
    files = {str(p) for p in gen.rglob("*")} | {str(gen)}
    assert files <= renamed, sorted(files - renamed)      # every file and folder of the generation
    assert str(root) in before                            # the rename of the generation itself
    after = [path for kind, path in events[pointer:] if kind == "fsync"]
    assert str(root) in after                             # and the pointer's own rename
