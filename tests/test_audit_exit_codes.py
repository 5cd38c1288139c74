"""``verify audit`` ends with the README's exit codes: 0 when every article was audited,
1 when some could not be (unreadable, too large, failed; each reported, the rest done),
2 when none could. The real audit runs, with a stub verifier, a digit check-worthiness
scorer and a blank spaCy in place of the models."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import verify.audit
from verify.audit.models import ArticleReport, AuditResult
from verify.cli import cli
from verify.types import CheckResult

GOOD = "---\ntitle: Good\n---\n\nThe Jalalabad prison held about 1,700 prisoners.\n"


def digit_scorer(sentences: Sequence[str], docs: Sequence[Any]) -> np.ndarray:
    return np.asarray([0.9 if any(ch.isdigit() for ch in s) else 0.1 for s in sentences],
                      dtype=np.float32)


def stub_verifier(claim: str) -> CheckResult:
    if "Kandahar" in claim:
        raise RuntimeError("stance model ran out of memory")
    return CheckResult(
        check_id="chk_" + hashlib.sha1(claim.encode()).hexdigest()[:16], claim=claim,
        verdict="NOT ENOUGH EVIDENCE", confidence=0.5, reason="stub", support_score=0.0,
        refute_score=0.0, evidence=(), decisive_passage_ids=(), claim_quantities=(),
        model_versions={"stub": "1"}, created_at=dt.datetime(2024, 1, 1))


@pytest.fixture(autouse=True)
def test_models(monkeypatch: pytest.MonkeyPatch) -> None:
    import spacy

    real = verify.audit.run_audit
    blank = spacy.blank("en")

    @functools.wraps(real)
    def with_stubs(ws: Any, inputs: Any, **options: Any) -> Any:
        return real(ws, inputs, scorer=digit_scorer, nlp=blank, verifier=stub_verifier,
                    **options)

    monkeypatch.setattr(verify.audit, "run_audit", with_stubs)


def run(tmp_path: Path, *inputs: Path, extra: Sequence[str] = ()) -> Any:
    return CliRunner().invoke(cli, ["-w", str(tmp_path / "ws"), "audit", *map(str, inputs),
                                    "--no-progress", *extra])


def article(folder: Path, name: str, text: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_every_article_audited_exits_0(tmp_path: Path) -> None:
    good = article(tmp_path / "in", "good.md", GOOD)
    empty = article(tmp_path / "in", "quiet.md", "---\ntitle: Quiet\n---\n\nNothing to see.\n")
    res = run(tmp_path, good, empty)
    assert res.exit_code == 0, res.output
    assert "1 claims checked in 2 articles" in res.output
    res = run(tmp_path, good, empty, extra=["--json"])
    assert res.exit_code == 0, res.output
    statuses = {Path(a["key"]).name: a["status"] for a in json.loads(res.output)["articles"]}
    assert statuses["good.md"] == "done"
    assert statuses["quiet.md"] in ("empty", "no_claims")    # audited, nothing to check


def test_some_articles_not_audited_exits_1_and_reports_them(tmp_path: Path) -> None:
    good = article(tmp_path / "in", "good.md", GOOD)
    failing = article(tmp_path / "in", "kandahar.md",
                      "Kandahar officials counted 45 attacks in 2019.\n")
    out = tmp_path / "report.json"
    res = run(tmp_path, good, failing, tmp_path / "in" / "missing.md",
              extra=["--json", "--out", str(out)])
    assert res.exit_code == 1, res.output
    data = json.loads(res.output)
    statuses = {Path(a["key"]).name: a["status"] for a in data["articles"]}
    assert statuses == {"good.md": "done", "kandahar.md": "failed", "missing.md": "unreadable"}
    assert data["summary"]["claims_checked"] == 1
    report = json.loads(out.read_text(encoding="utf-8"))       # the report is written all the same
    assert {a["status"] for a in report["articles"]} == {"done", "failed", "unreadable"}


def test_nothing_audited_exits_2(tmp_path: Path) -> None:
    res = run(tmp_path, tmp_path / "gone.md", tmp_path / "also-gone.md")
    assert res.exit_code == 2, res.output
    assert "0 claims checked in 2 articles" in res.output      # reported all the same
    res = run(tmp_path, tmp_path / "gone.md", extra=["--json"])
    assert res.exit_code == 2, res.output
    assert [a["status"] for a in json.loads(res.output)["articles"]] == ["unreadable"]


def test_outcome_counts_audited_and_not_audited_articles() -> None:
    statuses = ["done", "empty", "no_claims", "too_large", "unreadable", "failed"]
    result = AuditResult("a", "done", None, None, [], {},
                         articles=[ArticleReport(s, s, s) for s in statuses])
    assert result.outcome == (3, 3)
