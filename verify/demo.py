"""The built-in default job: the demo corpus, its ratings, and sample claims.

Example:
    from verify.demo import ensure_demo_workspace, run_demo
    ws = ensure_demo_workspace()
    [r.verdict for r in run_demo(ws)][:1]
    # -> ['SUPPORTED']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from verify.config import demo_corpus_path, project_root
from verify.workspace import Workspace

log = logging.getLogger(__name__)

DEMO_RATINGS_NAME = "verify demo outlet ratings"

DEMO_CLAIMS: tuple[str, ...] = (
    "IS-K killed 338 civilians in Pakistan since 2017",
    "IS-K killed more than 3,000 civilians in Pakistan since 2017",
    "CSIS estimated IS-K had roughly 800 fighters in 2018",
    "The Jalalabad prison held 17,000 prisoners",
    "The US agreed to close five bases within 135 days",
    "The Eiffel Tower was repainted green in 2019",
)


def demo_ratings_path() -> Path:
    """In-house ratings of the demo corpus's fictional outlets."""
    return project_root() / "corpus" / "demo_ratings.csv"


def ensure_demo_workspace(name_or_path: str | os.PathLike[str] | None = None, *,
                          progress: bool = False,
                          progress_callback: Callable[[int, int, str], None] | None = None,
                          ) -> Workspace:
    """Open the default workspace and make sure the demo corpus and ratings are in it.

    Ingestion is idempotent, so this is cheap when the workspace is already built.
    """
    ws = Workspace.open(name_or_path)
    corpus = demo_corpus_path()
    if corpus.is_dir():
        ws.ingest([corpus], progress=progress, progress_callback=progress_callback)
    _ensure_demo_ratings(ws)
    return ws


def _ensure_demo_ratings(ws: Workspace) -> None:
    """Import the demo outlet ratings once (re-import only when the file changes)."""
    path = demo_ratings_path()
    if not path.is_file():
        return
    ws.sources.import_file(path, "generic", name=DEMO_RATINGS_NAME, version="1",
                           licence="written by the verify project", by="verify demo", in_house=True,
                           skip_if_unchanged=True)


def run_demo(ws: Workspace, claims: tuple[str, ...] = DEMO_CLAIMS) -> list[Any]:
    """Check each sample claim; returns the ``CheckResult`` list."""
    return [ws.check(claim) for claim in claims]
