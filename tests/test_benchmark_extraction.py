"""The extraction-quality and golden-rules rows of benchmarks/ingest.py, on a tiny fixture
written here (the real pages are never committed)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from benchmarks.ingest import bench_extraction, bench_golden_rules, extraction_scores

BODY = ("The harbour authority said the new pier will open in May. It cost 3.1 million and "
        "took two years to build, officials told reporters on Friday.")


def test_scores_follow_the_benchmark_rule() -> None:
    assert extraction_scores({"a": BODY}, {"a": BODY}) == (1.0, 1.0, 1.0)
    f1, p, r = extraction_scores({"a": BODY}, {"a": BODY + " Subscribe to our newsletter now for more news."})
    assert r == 1.0 and 0.6 < p < 1.0 and 0.7 < f1 < 1.0
    assert extraction_scores({"a": BODY}, {"a": ""})[0] == 0.0


def test_extraction_row_on_a_fixture_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "html").mkdir()
    page = (f"<html><head><title>Pier</title></head><body><nav>Home News Sport</nav><article>"
            f"<p>{BODY}</p></article><footer>Copyright Harbour News</footer></body></html>")
    with gzip.open(tmp_path / "html" / "p1.html.gz", "wt", encoding="utf-8") as handle:
        handle.write(page)
    (tmp_path / "ground-truth.json").write_text(json.dumps({"p1": {"articleBody": BODY}}))
    rows = bench_extraction(tmp_path)
    names = [r[0] for r in rows]
    assert len(rows) == 3 and names[1].startswith("new")
    assert all(r[1] == pytest.approx(1.0) for r in rows), rows   # every extractor finds the body
    assert all(r[4] == 0 and r[5] > 0 for r in rows)
    assert bench_extraction(None) == [] and bench_extraction(tmp_path / "nope") == []
    assert "skipping" in capsys.readouterr().out


def test_golden_rules_row_reads_a_json_file(tmp_path: Path) -> None:
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps([["One sentence. Another one.", ["One sentence.", "Another one."]],
                                 ["Dr. Lee arrived.", ["Dr. Lee arrived."]]]))
    rows = bench_golden_rules(rules, ["Some text. More text."], 4)
    assert [(r[0], r[1]) for r in rows] == [("regex split_sentences", "2/2"), ("pysbd", "2/2")]
    assert bench_golden_rules(None, [], 1) == []
