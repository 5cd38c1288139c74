"""Where workspaces live and the settings that tune verification."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_WORKSPACE = "demo"
ENV_HOME = "VERIFY_HOME"
ENV_EVAL_DATA = "VERIFY_EVAL_DATA"
ENV_DESK_ROOTS = "VERIFY_DESK_ROOTS"
ENV_MILVUS_URI = "VERIFY_MILVUS_URI"
ENV_MILVUS_TOKEN = "VERIFY_MILVUS_TOKEN"


def milvus_uri() -> str | None:
    """The Milvus server a ``milvus`` index talks to: ``$VERIFY_MILVUS_URI`` (e.g.
    ``http://milvus.internal:19530``), or None for a milvus-lite file inside the workspace."""
    value = os.environ.get(ENV_MILVUS_URI, "").strip()
    return value or None


def verify_home() -> Path:
    """The folder that holds named workspaces: ``$VERIFY_HOME`` or ``./indexes``."""
    env = os.environ.get(ENV_HOME)
    return Path(env).expanduser() if env else Path.cwd() / "indexes"


# A workspace name: letters, digits, ``_ . -``, not starting with a dot (so never ``..``).
WORKSPACE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_EXPLICIT_PREFIXES = tuple(f"{d}{sep}" for d in (".", "..", "~") for sep in {"/", os.sep})


def is_explicit_path(text: str) -> bool:
    """True for an explicit folder path: absolute, or starting with ``./``, ``../`` or ``~/``."""
    return (Path(text).is_absolute() or text in (".", "..", "~")
            or text.startswith(_EXPLICIT_PREFIXES))


def resolve_workspace_path(name_or_path: str | os.PathLike[str] | None = None) -> Path:
    """Turn a workspace name (``demo``) or an explicit path into the workspace folder.

    The rule (README, *Workspaces*):

    - a **name** matches ``[A-Za-z0-9_][A-Za-z0-9_.-]*`` and is always the folder
      ``$VERIFY_HOME/<name>``; it can never reach outside ``$VERIFY_HOME``;
    - an **explicit path** is absolute or starts with ``./``, ``../`` or ``~/`` (or is a
      :class:`os.PathLike`, as Python callers pass) and is used as given;
    - anything else (``a/b``, ``demo/../..``, ``.hidden``, an empty string) is refused
      with a :class:`~verify.errors.WorkspaceError` that says how to write it.

    Example:
        >>> resolve_workspace_path("demo") == verify_home() / "demo"
        True
        >>> resolve_workspace_path("../x/ws")
        PosixPath('../x/ws')
    """
    if name_or_path is None:
        return verify_home() / DEFAULT_WORKSPACE
    if not isinstance(name_or_path, str):
        return Path(name_or_path).expanduser()
    text = name_or_path
    if is_explicit_path(text):
        return Path(text).expanduser()
    if WORKSPACE_NAME.fullmatch(text):
        return verify_home() / text
    from verify.errors import WorkspaceError

    raise WorkspaceError(
        f"workspace {text!r} is neither a workspace name nor an explicit path",
        hint="a name is letters, digits, '_', '.' and '-' (it lives under $VERIFY_HOME); "
             f"to use a folder, write it as an explicit path: ./{text.lstrip('./')} or an absolute path")


def existing_workspaces() -> list[str]:
    """Names of the workspaces under ``$VERIFY_HOME`` (folders holding ``verify.duckdb``)."""
    home = verify_home()
    try:
        entries = sorted(home.iterdir())
    except OSError:
        return []
    return [e.name for e in entries if WORKSPACE_NAME.fullmatch(e.name)
            and (e / "verify.duckdb").is_file()]


def project_root() -> Path:
    """The source checkout's root (where ``corpus/`` lives)."""
    return Path(__file__).resolve().parent.parent


def demo_corpus_path() -> Path:
    """The demo corpus shipped with the project."""
    return project_root() / "corpus" / "demo"


def desk_roots(value: str | None = None) -> tuple[Path, ...]:
    """Server folders the desk may read paths under; none unless configured.

    ``value`` (default ``$VERIFY_DESK_ROOTS``) lists absolute folders separated by
    ``os.pathsep`` (``:`` on Linux and macOS). Each is resolved (symlinks followed);
    empty entries are skipped. A relative entry is a :class:`~verify.errors.ConfigError`.

    Example:
        >>> desk_roots("/srv/articles:/data/inbox")
        (PosixPath('/srv/articles'), PosixPath('/data/inbox'))
    """
    from verify.errors import ConfigError

    text = os.environ.get(ENV_DESK_ROOTS, "") if value is None else value
    roots: list[Path] = []
    for part in text.split(os.pathsep):
        entry = part.strip()
        if not entry:
            continue
        path = Path(entry).expanduser()
        if not path.is_absolute():
            raise ConfigError(f"{ENV_DESK_ROOTS}: {entry!r} is not an absolute path",
                              hint=f"list absolute folders separated by {os.pathsep!r}, "
                                   f"e.g. /srv/articles{os.pathsep}/data/inbox")
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            raise ConfigError(f"{ENV_DESK_ROOTS}: {entry!r} cannot be resolved: {exc}") from exc
        if resolved not in roots:
            roots.append(resolved)
    return tuple(roots)


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
    """Thresholds for turning evidence into a verdict (see ``docs/verdicts.md``).

    - ``evidence_k``: passages retrieved and weighed per claim.
    - ``evidence_per_source``: at most this many of them from one source (a long thread
      or one outlet's several reports cannot crowd out the others); 0 for no cap, the
      default: a cap of 2 gains one desk-suite claim but costs SciFact 2.4 points of
      macro-F1 (3: 1.8, 4: 1.1), whose evidence is several passages of one abstract.
    - ``min_relevance``: a passage below this relevance (0..1) carries no weight.
    - ``relevance_cosine_floor`` / ``relevance_cosine_ceiling``: claim-passage cosine
      mapped linearly to 0..1 between these two values.
    - ``relevance_lexical_share``: share of relevance taken from claim content-word
      overlap (the rest from cosine).
    - ``reliability_floor``: weight factor of a source with reliability 0 (1.0 at 1).
    - ``decisive_stance``: a passage takes a side only if that stance's probability
      is the largest and at least this.
    - ``min_support_mass`` / ``min_refute_mass``: weighted evidence mass (noisy-OR of
      weight x probability) a side needs before it can win.
    - ``conflict_ratio``: both sides above their minimum and weaker/stronger mass at
      least this -> CONFLICTING.
    - ``duplicate_cosine``: passages this similar count once (``duplicate_of``).
    - ``duplicate_discount`` / ``same_document_discount`` / ``same_source_discount``:
      weight factor of a near-duplicate, of another passage of an already-counted
      document, and (per repeat) of another document from an already-counted source.
    - ``numeric_mismatch_weight``: refute probability forced by a clear figure mismatch.
    - ``numeric_match_boost``: share of "unrelated" mass moved to "supports" when the
      figures agree.
    - ``sentence_view_weight``: weight of the passage's focus sentence (the one sharing
      most claim words) in its stance; 0 scores whole passages only.
    - ``date_view``: where the claim names a date and a passage names none, also score the
      claim without its dates and cap the passage's refutes at that view's (a date the
      passage never states cannot refute the claim); False keeps the model's answer.
    - ``negation_view``: a claim negated on its verb ("X does not affect Y") is scored as
      its affirmed form with supports and refutes swapped back (the model over-reads a
      "not" as refuting); False scores the claim as written.
    - ``strong_refute``: a passage the model leans against refutes without a differing
      figure, negation or antonym only if its focus sentence alone reads as refuting with
      at least this probability (``verify.checks.refutation``).
    - ``refute_needs_reason``: False lets any passage the model leans against refute, as
      before (no reason asked).
    - ``figure_claims_need_figures``: a claim with a counted figure is not supported by a
      passage that states none of its figures (the figure is the claim's point).
    - ``numeric_match_support``: when every figure of the claim agrees with one on the same
      named thing and the model does not clearly refute it (refutes < ``strong_refute``),
      supports is raised to this.
    - ``dissent_reliability_gap``: a side whose best source is rated this much below the
      other side's best is a dissent, set aside when the other side can win alone; sources
      closer than this are *comparably reliable* and can make CONFLICTING.
    - ``later_reports_supersede``: when comparably reliable sources disagree on a figure and
      every dated report of one side is newer than every one of the other, the newer side
      decides (the first-day toll is superseded) instead of CONFLICTING, when its sentence
      says the figure changed ("has risen to", "revised", "down from") or it is at least
      ``supersede_after_days`` newer; reports days apart with different values and no
      word of change stay CONFLICTING.
    - ``model_refute_needs_predicate``: a model refutes (the ``model`` reason) counts only
      where its sentence names the claim's predicate, a synonym or an opposite, as a negation
      must. Off by default: news desks gain (desk suite 0.79 vs 0.73) but science findings
      state a refutation in other words (SciFact 0.48 vs 0.59); see docs/verdicts.md.
    - ``conflict_needs_stated_reason``: CONFLICTING needs a refuting passage that states its
      reason (a differing figure, a negation or an opposite); against supporting sources, a
      refutation that is only the model's reading leaves the verdict SUPPORTED.
    - ``learned_head``: use the workspace's active verdict head, learned from its reviewed
      checks (``verify learn``), when it was fitted under the same stance model, embedder
      and verdict settings; False always decides by the rule above.
    """

    evidence_k: int = 8
    evidence_per_source: int = 0
    min_relevance: float = 0.3
    relevance_cosine_floor: float = 0.2
    relevance_cosine_ceiling: float = 0.7
    relevance_lexical_share: float = 0.4
    reliability_floor: float = 0.3
    decisive_stance: float = 0.5
    min_support_mass: float = 0.35
    min_refute_mass: float = 0.35
    conflict_ratio: float = 0.6
    duplicate_cosine: float = 0.95
    duplicate_discount: float = 0.1
    same_document_discount: float = 0.35
    same_source_discount: float = 0.5
    numeric_mismatch_weight: float = 0.9
    numeric_match_boost: float = 0.5
    sentence_view_weight: float = 0.5
    date_view: bool = True
    negation_view: bool = True
    strong_refute: float = 0.7
    refute_needs_reason: bool = True
    figure_claims_need_figures: bool = True
    numeric_match_support: float = 0.6
    dissent_reliability_gap: float = 0.3
    later_reports_supersede: bool = True
    supersede_after_days: int = 30
    model_refute_needs_predicate: bool = False
    conflict_needs_stated_reason: bool = True
    learned_head: bool = True


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
