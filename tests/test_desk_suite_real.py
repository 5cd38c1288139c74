"""The desk suite (benchmarks/desk): its files are well formed, and two of its stories
checked with the real models keep the floor and get most claims right."""

from __future__ import annotations

import csv
from collections import Counter

import pytest

from benchmarks.desk_suite import (
    CATEGORIES,
    DESK_ROOT,
    LABELS,
    build_workspace,
    load_claims,
    run,
    source_key,
    story_dirs,
    summarise,
)
from verify.ingest.frontmatter import split_front_matter

REAL_STORIES = ("tolvane-prison-break", "aven-valley-floods")
MIN_SHARE_RIGHT = 0.7
FRONT_MATTER = ("title", "url", "date", "source", "author", "language")


def _ratings() -> dict[str, float]:
    """The suite's ratings file as key -> rating."""
    with open(DESK_ROOT / "ratings.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and list(rows[0]) == ["domain", "rating", "scale", "label", "rationale"]
    assert all(r["scale"] == "0-1" and r["rationale"].strip() for r in rows)
    return {r["domain"]: float(r["rating"]) for r in rows}


def _rated(key: str, ratings: dict[str, float]) -> bool:
    """True when ``key`` or one of its parent domains has a rating."""
    if key in ratings:
        return True
    labels = key.split(".")
    return any(".".join(labels[i:]) in ratings for i in range(1, len(labels) - 1))


def test_suite_files_are_valid() -> None:
    claims = load_claims()
    stories = {d.name: d for d in story_dirs()}
    ratings = _ratings()
    assert len(claims) >= 80
    assert len(stories) >= 5
    assert len({c.id for c in claims}) == len(claims), "claim ids must be unique"
    per_story = Counter(c.story for c in claims)
    assert set(per_story) == set(stories), "every story has claims and every claim a story"
    assert min(per_story.values()) >= 16
    for c in claims:
        assert c.expected in LABELS, c.id
        assert c.category in CATEGORIES, c.id
        assert c.claim.strip() and c.note.strip(), c.id
        if c.expected != "SUPPORTED":   # support means a reliable source states the claim
            assert not c.reliable_support, c.id
    assert set(Counter(c.expected for c in claims)) == set(LABELS)
    assert all(0.0 <= r <= 1.0 for r in ratings.values())
    urls = set()
    for name, folder in stories.items():
        docs = sorted(folder.glob("*.md"))
        assert 5 <= len(docs) <= 8, name
        for doc in docs:
            meta, body = split_front_matter(doc.read_text(encoding="utf-8"))
            assert all(meta.get(k) for k in FRONT_MATTER), doc.name
            assert meta["language"] == "en", doc.name
            assert 150 <= len(body.split()) <= 400, doc.name
            assert meta["url"] not in urls, doc.name
            urls.add(meta["url"])
            assert _rated(source_key(meta["url"]), ratings), f"{doc.name}: {source_key(meta['url'])}"


def test_source_keys_of_platform_accounts() -> None:
    assert source_key("https://x.com/lowmerefire/status/1") == "x.com/@lowmerefire"
    assert source_key("https://www.youtube.com/@stormfrontlive/community?lb=1") == \
        "youtube.com/@stormfrontlive"
    assert source_key("https://t.me/dunmore_council/882") == "t.me/dunmore_council"
    assert source_key("https://pialedger.substack.com/p/x") == "pialedger.substack.com"
    assert source_key("https://www.meridianwire.com/a") == "meridianwire.com"
    assert source_key("http://research.intranet/desk-notes/a") == "research.intranet"


@pytest.fixture(scope="module")
def desk_rows(tmp_path_factory: pytest.TempPathFactory):
    """Two stories built into a real workspace and all their claims checked once."""
    path = tmp_path_factory.mktemp("desk") / "desk"
    ws = build_workspace(path, stories=REAL_STORIES)
    try:
        return run(ws, load_claims(stories=REAL_STORIES))
    finally:
        ws.close()


def _listed(rows) -> str:
    """One line per row: id, got, expected and the checker's reason."""
    return "\n".join(f"{r.claim.id}: got {r.got}, expected {r.claim.expected}; {r.reason}"
                     for r in rows)


@pytest.mark.real
def test_no_refuted_or_conflicting_on_reliably_supported_claims(desk_rows) -> None:
    violations = [r for r in desk_rows if r.floor_violation]
    assert not violations, f"{len(violations)} floor violations:\n{_listed(violations)}"


@pytest.mark.real
def test_most_desk_claims_are_right(desk_rows) -> None:
    summary = summarise(desk_rows)
    wrong = [r for r in desk_rows if not r.right]
    assert summary.accuracy >= MIN_SHARE_RIGHT, \
        f"{summary.accuracy:.3f} right ({len(wrong)} of {summary.n} wrong):\n{_listed(wrong)}"
