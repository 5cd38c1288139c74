"""Run the ``verify`` CLI in a subprocess with the deterministic fake models of
``tests/conftest.py`` registered under the default names, and optional kill points.

Usage: ``python tests/faults/fake_cli.py [verify arguments]``, or ``--serve``: a fork
server that imports everything once, then reads JSON requests ``{"argv", "env", "out"}``
from stdin, runs each in a forked child (its output to ``out``) and answers ``{"rc"}``
(negative: killed by that signal). Children are fresh processes for DuckDB's lock, so a
``kill -9`` of one is a real crash; the server saves ~1 s of imports per command.
Environment (read per command):

* ``VERIFY_KILL_AT=N``: ``kill -9`` this process just before the N-th call of one of the
  hooked functions (storing a document, recording a run, embedding a batch, keeping an
  embedding chunk, fsyncing or renaming an index file); ``name:N``: the N-th call of the
  hook called ``name`` (``embed_batch``, ``_keep_chunk``, ``write_document``, ...).
* ``VERIFY_COUNT_TO=path``: write how many hooked calls the run made to ``path``.
* ``VERIFY_EMBED_CHUNK=n``: vectors per kept chunk (small, so a kill lands between chunks).
* ``VERIFY_EMBED_DELAY=s``: sleep this long per embedded batch (a long embedding).
* ``VERIFY_HOOK_DELAY=s``: sleep this long at every hooked call (a long ingest).
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conftest import FakeEmbedder, FakeStanceModel  # noqa: E402

from verify.embedders import EMBEDDERS  # noqa: E402
from verify.stance.base import STANCE_MODELS  # noqa: E402

_calls = 0
_by_name: dict[str, int] = {}


def _due(name: str) -> bool:
    """Whether this call is the kill point: ``N`` (any hook) or ``name:N`` (that hook)."""
    spec = os.environ.get("VERIFY_KILL_AT", "")
    if ":" in spec:
        want, _, n = spec.partition(":")
        return want == name and _by_name.get(name) == int(n)
    return bool(spec) and _calls == int(spec)


def _hook(fn: Any) -> Any:
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global _calls
        _calls += 1
        _by_name[name] = _by_name.get(name, 0) + 1
        if _due(name):
            os.kill(os.getpid(), signal.SIGKILL)
        delay = float(os.environ.get("VERIFY_HOOK_DELAY", "0") or 0)
        if delay:
            time.sleep(delay)
        return fn(*args, **kwargs)

    return wrapper


class SlowFakeEmbedder(FakeEmbedder):
    """The fake embedder, optionally slow, with a kill point per batch."""

    def embed_batch(self, texts: Any) -> Any:
        delay = float(os.environ.get("VERIFY_EMBED_DELAY", "0") or 0)
        if delay:
            time.sleep(delay)
        return _hook(super().embed_batch)(texts)


def _install() -> None:
    EMBEDDERS.register("minilm", SlowFakeEmbedder, replace=True)
    STANCE_MODELS.register("verify-stance", FakeStanceModel, replace=True)
    import verify.index.hybrid as hybrid
    import verify.ingest.core as core

    if os.environ.get("VERIFY_EMBED_CHUNK"):
        hybrid.EMBED_CHUNK = int(os.environ["VERIFY_EMBED_CHUNK"])
    for name in ("write_document", "start_run", "update_run", "close_dead_runs", "drop_origins",
                 "attach_origin", "record_run"):
        if hasattr(core, name):
            setattr(core, name, _hook(getattr(core, name)))
    for name in ("_fsync", "_atomic_write_text"):
        if hasattr(hybrid, name):
            setattr(hybrid, name, _hook(getattr(hybrid, name)))
    for name in ("_keep_chunk", "_save"):
        if hasattr(hybrid.HybridIndex, name):
            setattr(hybrid.HybridIndex, name, _hook(getattr(hybrid.HybridIndex, name)))
    atexit.register(_write_count)


def _write_count() -> None:
    count_to = os.environ.get("VERIFY_COUNT_TO")
    if count_to:
        Path(count_to).write_text(str(_calls))


def _child(request: dict[str, Any]) -> int:
    """Run one CLI command in this (forked) process; its exit code."""
    os.environ.update(request.get("env", {}))
    fd = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    code = 0
    try:
        _install()
        from verify.cli import main

        main(request["argv"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported in the output file
        import traceback

        traceback.print_exc()
        code = 1
    _write_count()
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def serve() -> None:
    """The fork server (see the module docstring)."""
    import bm25s  # noqa: F401 - imported once for every child
    import duckdb  # noqa: F401
    import faiss  # noqa: F401
    import rich.table  # noqa: F401
    import tqdm  # noqa: F401

    import verify.cli  # noqa: F401
    import verify.commands.corpus  # noqa: F401
    import verify.commands.search  # noqa: F401
    import verify.index  # noqa: F401
    import verify.ingest  # noqa: F401
    import verify.retrieval  # noqa: F401

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            os._exit(_child(request))
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"rc": os.waitstatus_to_exitcode(status)}), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        _install()
        from verify.cli import main

        main(sys.argv[1:])
