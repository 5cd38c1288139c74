"""Where workspaces live and the settings that tune verification."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_WORKSPACE = "demo"
ENV_HOME = "VERIFY_HOME"
ENV_EVAL_DATA = "VERIFY_EVAL_DATA"


def verify_home() -> Path:
    """The folder that holds named workspaces: ``$VERIFY_HOME`` or ``./indexes``."""
    env = os.environ.get(ENV_HOME)
    return Path(env).expanduser() if env else Path.cwd() / "indexes"


def resolve_workspace_path(name_or_path: str | os.PathLike[str] | None = None) -> Path:
    """Turn a workspace name (``demo``) or a path into the workspace folder."""
    if name_or_path is None:
        return verify_home() / DEFAULT_WORKSPACE
    text = str(name_or_path)
    if os.sep in text or text.startswith(".") or Path(text).is_absolute():
        return Path(text).expanduser()
    return verify_home() / text


def project_root() -> Path:
    """The source checkout's root (where ``corpus/`` lives)."""
    return Path(__file__).resolve().parent.parent


def demo_corpus_path() -> Path:
    """The demo corpus shipped with the project."""
    return project_root() / "corpus" / "demo"


def eval_data_path(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The shared evaluation data folder, or None when it is absent."""
    candidates = [explicit, os.environ.get(ENV_EVAL_DATA), project_root().parent / "shared" / "data"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


@dataclass(frozen=True)
class RetrievalSettings:
    """Knobs for hybrid retrieval."""

    k: int = 10
    candidates: int = 50
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0


@dataclass(frozen=True)
class VerdictSettings:
    """Thresholds for turning evidence into a verdict (documented in README)."""

    evidence_k: int = 8
    min_relevance: float = 0.35
    decisive_stance: float = 0.5
    min_support_mass: float = 0.45
    min_refute_mass: float = 0.45
    conflict_ratio: float = 0.5
    duplicate_cosine: float = 0.95
    numeric_mismatch_weight: float = 0.9


@dataclass(frozen=True)
class Settings:
    """All settings, with documented defaults."""

    embedder: str = "minilm"
    stance_model: str = "verify-stance"
    retriever: str = "hybrid"
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    verdict: VerdictSettings = field(default_factory=VerdictSettings)
    reliability_prior: float = 0.5
    gov_edu_prior: float = 0.7
