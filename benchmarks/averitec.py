"""AVeriTeC claims for the agreement benchmark: loader, label mapping, passages, sources.

AVeriTeC (train split, ``claims/averitec-train/claims.jsonl`` under the eval data) holds
real claims checked by professional fact-checkers, each with question-answer evidence items
drawn from web sources (``text`` is "Question? Answer. Explanation", with the source's
``url``). Its licence is CC BY-NC 4.0: it is scored only, never trained or fitted on (no
calibrator, no thresholds, no head).

Labels, original AVeriTeC names or the eval data's normalised ones, map to the verdicts:

==================================== ==================== =====================
AVeriTeC                             eval data            verdict
==================================== ==================== =====================
Supported                            SUPPORTS             SUPPORTED
Refuted                              REFUTES              REFUTED
Not Enough Evidence                  NOT_ENOUGH_INFO      NOT ENOUGH EVIDENCE
Conflicting Evidence/Cherrypicking   CONFLICTING          CONFLICTING
==================================== ==================== =====================

Each claim is checked against its own evidence items as the corpus. An item becomes one
passage in one of two representations (``--averitec-passages``):

- ``qa`` (default): the item as given, "Question? Answer.";
- ``answer``: the answer alone, except where it opens with a bare yes or no, which means
  nothing without its question: then "Question? Answer." as in ``qa``. One generic rule,
  never an item-by-item rewrite.

The source of an item is the host of its URL; an archived copy (``web.archive.org/web/
<time>/<url>`` or any URL with another URL inside it) is the archived page's host. Items of
one page are one document; items of one host are one source.

Example:
    >>> split_qa("Did the vote pass? No. It failed by two votes.")
    ('Did the vote pass?', 'No. It failed by two votes.')
    >>> source_domain("https://web.archive.org/web/2020/https://www.example.org/a")
    'example.org'
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

S, R, N, C = "SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO", "CONFLICTING"
LABELS = (S, R, N, C)
REPRESENTATIONS = ("qa", "answer")
DEFAULT_REPRESENTATION = "qa"
REL_PATH = "claims/averitec-train/claims.jsonl"
_LABELS = {"supported": S, "supports": S, "refuted": R, "refutes": R,
           "not enough evidence": N, "not_enough_evidence": N, "not_enough_info": N, "nei": N,
           "conflicting evidence/cherrypicking": C, "conflicting": C}
_EMBEDDED_URL = re.compile(r"https?:/{1,2}", re.IGNORECASE)
_YES_NO = re.compile(r"^(?:yes|no)\b", re.IGNORECASE)


def label_of(raw: object) -> str:
    """An AVeriTeC or eval-data label as SUPPORTS/REFUTES/NOT_ENOUGH_INFO/CONFLICTING."""
    key = " ".join(str(raw).strip().split()).lower()
    if key not in _LABELS:
        raise ValueError(f"unknown AVeriTeC label {raw!r}")
    return _LABELS[key]


def split_qa(text: str) -> tuple[str, str]:
    """An evidence item's (question, answer): the question runs to its first "?"."""
    text = " ".join(str(text).split())
    cut = text.find("?")
    if cut < 0:
        return "", text
    return text[:cut + 1].replace(" ?", "?"), text[cut + 1:].strip()


def passage_text(text: str, representation: str = DEFAULT_REPRESENTATION) -> str:
    """An evidence item as the passage the checker reads (see the module docstring)."""
    if representation not in REPRESENTATIONS:
        raise ValueError(f"unknown passage representation {representation!r} "
                         f"(one of {', '.join(REPRESENTATIONS)})")
    question, answer = split_qa(text)
    if not question or not answer:
        return " ".join(str(text).split())
    if representation == "answer" and not _YES_NO.match(answer):
        return answer
    return f"{question} {answer}"


def source_url(url: str | None) -> str | None:
    """The page an item cites: the innermost URL of an archived copy, else the URL."""
    if not url or not str(url).strip():
        return None
    url = str(url).strip()
    starts = [m.start() for m in _EMBEDDED_URL.finditer(url)]
    inner = url[starts[-1]:] if starts else url
    return re.sub(r"^(https?):/+", r"\1://", inner, flags=re.IGNORECASE)


def source_domain(url: str | None) -> str | None:
    """The host of an item's source page, lower case, without ``www.`` (None if none)."""
    inner = source_url(url)
    if inner is None:
        return None
    try:
        host = urlsplit(inner if "://" in inner else f"http://{inner}").hostname
    except ValueError:
        return None
    host = (host or "").lower().rstrip(".")
    if "." not in host:          # "Metadata", "localhost": not a source
        return None
    return host[4:] if host.startswith("www.") else host


def load_averitec(path: Path, limit: int | None = None, seed: int = 0) -> list[dict[str, Any]]:
    """The claims of ``path`` with mapped labels; a seeded sample of ``limit`` (None: all)."""
    items = []
    with Path(path).open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            evidence = [{"text": ev.get("text") or "", "url": ev.get("url") or None}
                        for ev in row.get("evidence", []) if (ev.get("text") or "").strip()]
            items.append({"id": str(row["id"]), "claim": row["claim"],
                          "label": label_of(row["label"]), "evidence": evidence})
    if limit and len(items) > limit:
        keep = set(random.Random(seed).sample(range(len(items)), limit))
        items = [it for i, it in enumerate(items) if i in keep]
    return items


def evidence_hits(item: dict[str, Any], representation: str = DEFAULT_REPRESENTATION,
                  cosines: Sequence[float | None] | None = None) -> list[Any]:
    """The item's evidence as ``SearchHit``s: one passage each, one document per page."""
    from verify.types import PassageRef, SearchHit

    pages: dict[str, int] = {}
    hits = []
    for n, ev in enumerate(item["evidence"]):
        text = passage_text(ev["text"], representation)
        page = source_url(ev.get("url"))
        doc = pages.setdefault(page, len(pages)) if page else len(item["evidence"]) + n
        ref = PassageRef(n, doc, n, text, 0, len(text), None, page, source_domain(ev.get("url")),
                         None, "en")
        hits.append(SearchHit(ref, n + 1, None if cosines is None else cosines[n], None, 0.0))
    return hits


def seeded_reliability(settings: Any = None) -> tuple[Callable[[str | None], Any], Any]:
    """``ws.reliability`` of a fresh in-memory workspace holding the shipped seed ratings
    (Lin et al. 2023); unrated domains get the prior. Returns (lookup, workspace)."""
    from verify import Workspace

    ws = Workspace.in_memory(settings)
    cache: dict[str | None, Any] = {}

    def reliability(domain: str | None) -> Any:
        if domain not in cache:
            cache[domain] = ws.reliability(domain)
        return cache[domain]

    return reliability, ws


def is_prior(rel: Any) -> bool:
    """Whether a reliability is the fallback prior (the source is in no rating set)."""
    parts = getattr(rel, "parts", ()) or ()
    return bool(parts) and all(str(p[0]).startswith("prior") for p in parts)
