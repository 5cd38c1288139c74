"""The desk suite: multi-source newsroom stories (benchmarks/desk) checked claim by claim.

Five fictional stories, each a folder of source documents, with outlet ratings and 85 claims
whose expected verdicts a careful fact-checker would give. Scores accuracy, macro-F1 over the
four verdicts, per-category accuracy and floor violations (REFUTED or CONFLICTING on a claim
that every source rated 0.7 or more supports).

    python benchmarks/desk_suite.py [--workspace PATH] [--stories a,b]

Example:
    >>> from benchmarks.desk_suite import build_workspace, load_claims, run, summarise
    >>> claims = load_claims()                                          # doctest: +SKIP
    >>> ws = build_workspace("/tmp/desk-ws")                            # doctest: +SKIP
    >>> summarise(run(ws, claims)).accuracy                             # doctest: +SKIP
    0.7
"""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import fmt, print_table  # noqa: E402

log = logging.getLogger(__name__)

DESK_ROOT = Path(__file__).resolve().parent / "desk"
RATINGS_NAME = "verify desk suite outlet ratings"
LABELS: tuple[str, ...] = ("SUPPORTED", "REFUTED", "CONFLICTING", "NOT ENOUGH EVIDENCE")
CATEGORIES: tuple[str, ...] = ("reliability_dissent", "silent_related", "counted_noun", "paraphrase",
                               "platform_account", "syndicated", "superseded", "negation",
                               "conflicting", "plain", "not_stated")
FLOOR_LABELS = frozenset({"REFUTED", "CONFLICTING"})
PLATFORM_HOSTS = {"x.com": "x.com", "twitter.com": "x.com", "youtube.com": "youtube.com",
                  "t.me": "t.me"}


@dataclass(frozen=True)
class DeskClaim:
    """One claim of the suite with its expected verdict and why."""

    id: str
    story: str
    claim: str
    expected: str
    category: str
    reliable_support: bool
    note: str = ""


@dataclass(frozen=True)
class DeskRow:
    """A claim and what the checker said about it."""

    claim: DeskClaim
    got: str
    confidence: float | None
    reason: str

    @property
    def right(self) -> bool:
        """True when the verdict is the expected one."""
        return self.got == self.claim.expected

    @property
    def floor_violation(self) -> bool:
        """REFUTED or CONFLICTING on a claim every reliable source supports."""
        return self.claim.reliable_support and self.got in FLOOR_LABELS


@dataclass
class DeskSummary:
    """Scores of one run: overall, per label, per category and per story."""

    n: int
    accuracy: float
    macro_f1: float
    floor_violations: int
    per_label_f1: dict[str, float] = field(default_factory=dict)
    per_category: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    per_story: dict[str, tuple[int, int, float]] = field(default_factory=dict)
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)


def story_dirs(root: Path = DESK_ROOT) -> list[Path]:
    """The story folders of the suite, sorted by name."""
    return sorted(p for p in Path(root).iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def load_claims(root: Path = DESK_ROOT, stories: Iterable[str] | None = None) -> list[DeskClaim]:
    """The suite's claims from ``claims.jsonl`` (only ``stories`` when given)."""
    wanted = set(stories) if stories is not None else None
    claims = []
    with open(Path(root) / "claims.jsonl", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                claim = DeskClaim(id=row["id"], story=row["story"], claim=row["claim"],
                                  expected=row["expected"], category=row["category"],
                                  reliable_support=bool(row["reliable_support"]),
                                  note=row.get("note", ""))
            except (ValueError, KeyError) as exc:
                raise ValueError(f"claims.jsonl line {line_no}: {exc}") from exc
            if wanted is None or claim.story in wanted:
                claims.append(claim)
    return claims


def source_key(url: str) -> str:
    """The ratings key of a document URL: host, or ``x.com/@handle``-style account key."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    platform = PLATFORM_HOSTS.get(host)
    segments = [s for s in parts.path.split("/") if s]
    if platform and segments:
        handle = segments[0].lower().lstrip("@")
        return f"{platform}/@{handle}" if platform != "t.me" else f"t.me/{handle}"
    return host


def import_ratings(ws: Any, root: Path = DESK_ROOT) -> Any:
    """Import the suite's outlet ratings as in-house ratings; rows refused are logged."""
    report = ws.sources.import_file(Path(root) / "ratings.csv", "generic", name=RATINGS_NAME,
                                    version="1", licence="written by the verify project",
                                    by="desk suite", in_house=True, skip_if_unchanged=True)
    for issue in getattr(report, "issues", ()):
        log.warning("desk ratings: row not imported: %s", issue)
    return report


def build_workspace(path: str | Path, root: Path = DESK_ROOT,
                    stories: Iterable[str] | None = None) -> Any:
    """Open a workspace at ``path`` and load the suite's stories and ratings into it."""
    from verify import Workspace

    dirs = story_dirs(root)
    if stories is not None:
        wanted = set(stories)
        unknown = wanted - {d.name for d in dirs}
        if unknown:
            raise ValueError(f"unknown stories: {', '.join(sorted(unknown))}")
        dirs = [d for d in dirs if d.name in wanted]
    ws = Workspace.open(path)
    ws.ingest(dirs)
    import_ratings(ws, root)   # after ingesting, as verify.demo does
    return ws


def _check(ws: Any, claim: str) -> Any:
    """``ws.check`` without saving when the signature allows it."""
    if "save" in inspect.signature(ws.check).parameters:
        return ws.check(claim, save=False)
    return ws.check(claim)


def run(ws: Any, claims: Sequence[DeskClaim]) -> list[DeskRow]:
    """Check every claim; a check that raises is recorded as ``ERROR`` and the run goes on."""
    rows = []
    for claim in claims:
        try:
            result = _check(ws, claim.claim)
        except Exception as exc:  # a benchmark reports failures instead of stopping
            log.exception("desk claim %s failed", claim.id)
            rows.append(DeskRow(claim, "ERROR", None, f"{type(exc).__name__}: {exc}"))
            continue
        rows.append(DeskRow(claim, str(result.verdict), float(result.confidence), str(result.reason)))
    return rows


def _share(rows: Sequence[DeskRow]) -> tuple[int, int, float]:
    """(count, right, accuracy) of some rows."""
    right = sum(r.right for r in rows)
    return len(rows), right, right / len(rows) if rows else float("nan")


def summarise(rows: Sequence[DeskRow]) -> DeskSummary:
    """Accuracy, macro-F1 over the four verdicts, floor violations, per category and story."""
    n = len(rows)
    f1s = {}
    for label in LABELS:
        tp = sum(r.got == label and r.claim.expected == label for r in rows)
        fp = sum(r.got == label and r.claim.expected != label for r in rows)
        fn = sum(r.got != label and r.claim.expected == label for r in rows)
        f1s[label] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    by_cat: dict[str, list[DeskRow]] = {}
    by_story: dict[str, list[DeskRow]] = {}
    for r in rows:
        by_cat.setdefault(r.claim.category, []).append(r)
        by_story.setdefault(r.claim.story, []).append(r)
    return DeskSummary(
        n=n,
        accuracy=sum(r.right for r in rows) / n if n else float("nan"),
        macro_f1=sum(f1s.values()) / len(LABELS),
        floor_violations=sum(r.floor_violation for r in rows),
        per_label_f1=f1s,
        per_category={c: _share(by_cat[c]) for c in sorted(by_cat)},
        per_story={s: _share(by_story[s]) for s in sorted(by_story)},
        confusion=dict(Counter((r.claim.expected, r.got) for r in rows)),
    )


def print_report(rows: Sequence[DeskRow], summary: DeskSummary) -> None:
    """Print the per-category, per-story and overall tables and the wrong claims."""
    print_table("desk suite by category", ["category", "claims", "right", "accuracy"],
                [[c, n, k, fmt(a)] for c, (n, k, a) in summary.per_category.items()])
    print_table("desk suite by story", ["story", "claims", "right", "accuracy"],
                [[s, n, k, fmt(a)] for s, (n, k, a) in summary.per_story.items()])
    got_labels = list(LABELS) + (["ERROR"] if any(r.got == "ERROR" for r in rows) else [])
    print_table("confusion (rows expected, columns got)", ["expected", *got_labels],
                [[e, *(summary.confusion.get((e, g), 0) for g in got_labels)] for e in LABELS])
    print_table("desk suite overall", ["claims", "accuracy", "macro-F1", "floor violations",
                                       *(f"F1 {lab}" for lab in LABELS)],
                [[summary.n, fmt(summary.accuracy), fmt(summary.macro_f1), summary.floor_violations,
                  *(fmt(summary.per_label_f1[lab]) for lab in LABELS)]])
    wrong = [r for r in rows if not r.right]
    print(f"\n### wrong claims ({len(wrong)} of {len(rows)})\n")
    for r in wrong:
        flag = "  [FLOOR]" if r.floor_violation else ""
        conf = f" ({r.confidence:.2f})" if r.confidence is not None else ""
        print(f"- {r.claim.id} [{r.claim.category}] got {r.got}{conf}, expected "
              f"{r.claim.expected}{flag}\n    claim: {r.claim.claim}\n    reason: {r.reason}")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> None:
    """Build a workspace from the suite, check every claim and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", default=None,
                        help="workspace folder to build or reuse (default: a temporary one)")
    parser.add_argument("--stories", default=None,
                        help="comma-separated story folders (default: all)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    stories = [s.strip() for s in args.stories.split(",") if s.strip()] if args.stories else None
    claims = load_claims(stories=stories)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.workspace) if args.workspace else Path(tmp) / "desk"
        start = time.perf_counter()
        ws = build_workspace(path, stories=stories)
        built = time.perf_counter() - start
        try:
            rows = run(ws, claims)
        finally:
            ws.close()
        checked = time.perf_counter() - start - built
    print(f"workspace built in {built:.0f} s; {len(claims)} claims checked in {checked:.0f} s")
    print_report(rows, summarise(rows))


if __name__ == "__main__":
    main()
