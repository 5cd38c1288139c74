"""Audits: extraction offsets, reference resolution, figure splitting, resumption,
bad inputs and the CLI. Fast tests use fake models, a digit-based scorer and a blank
spaCy tokenizer; tests marked ``real`` load the spaCy NER pipeline."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from verify.audit import extract_claims, run_audit
from verify.audit.models import DONE, EMPTY, FAILED, NO_CLAIMS, TOO_LARGE, UNREADABLE

CORPUS = {
    "isk-profile.md": (
        "---\ntitle: IS-K profile\nurl: https://thinktank.org/isk\ndate: 2019-11-01\n---\n\n"
        "IS-K killed 338 civilians in Pakistan since January 2017. "
        "A CSIS estimate put IS-K at about 800 fighters in 2018.\n"),
    "prison.md": (
        "---\ntitle: Jalalabad prison attack\nurl: https://newsdesk.com/jalalabad\n"
        "date: 2020-08-03\n---\n\nThe Jalalabad prison held about 1,700 prisoners. "
        "About 300 prisoners were still at large after the attack.\n"),
}

ARTICLES = {
    "a1.md": "---\ntitle: One\n---\n\nIS-K killed 338 civilians in Pakistan since January 2017. "
             "Raids of this type are a common tactic.\n",
    "a2.md": "---\ntitle: Two\n---\n\nThe Jalalabad prison held about 1,700 prisoners.\n",
    "a3.md": "---\ntitle: Three\n---\n\nKandahar officials counted 45 attacks in 2019.\n",
    "a4.md": "---\ntitle: Four\n---\n\nAbout 300 prisoners were still at large after the attack.\n",
    "a5.md": "---\ntitle: Five\n---\n\nA CSIS estimate put IS-K at about 800 fighters in 2018.\n",
}


def digit_scorer(sentences: Sequence[str], docs: Sequence[Any]) -> np.ndarray:
    """Check-worthy when the sentence has a digit (deterministic stand-in for the model)."""
    return np.asarray([0.9 if any(ch.isdigit() for ch in s) else 0.1 for s in sentences],
                      dtype=np.float32)


@pytest.fixture(scope="module")
def blank_nlp() -> Any:
    import spacy

    return spacy.blank("en")


def write(folder: Path, files: dict[str, str | bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def corpus_ws(ws: Any, tmp_path: Path) -> Any:
    write(tmp_path / "corpus", CORPUS)
    ws.ingest([tmp_path / "corpus"])
    return ws


def counts(ws: Any) -> dict[str, int]:
    q = {"articles": "SELECT count(*) FROM audit_articles",
         "claims": "SELECT count(*) FROM audit_claims",
         "linked_checks": "SELECT count(DISTINCT check_id) FROM audit_claims",
         "checks": "SELECT count(*) FROM checks"}
    return {k: ws.db.execute(sql).fetchone()[0] for k, sql in q.items()}


def audit(ws: Any, inputs: list[Any], nlp: Any, **kw: Any) -> Any:
    kw.setdefault("scorer", digit_scorer)
    return run_audit(ws, inputs, progress=False, nlp=nlp, **kw)


# ---- extraction (real spaCy) --------------------------------------------------------
ARTICLE = ("The Islamic State's Afghan branch, IS-K, was founded in 2015 in Nangarhar.\n\n"
           "The group killed 338 civilians in Pakistan since January 2017 and had 800 fighters "
           "in 2018. Zalmay Khalilzad led the talks for Washington. He said 5,000 prisoners would "
           "be freed by March 10. Raids of this type are a common tactic.")


@pytest.mark.real
def test_sentence_offsets_point_into_the_article() -> None:
    result = extract_claims(ARTICLE, scorer=digit_scorer, threshold=0.5)
    assert len(result.sentences) == 5
    for s in result.sentences:
        assert ARTICLE[s.start:s.end] == s.text
    for c in result.claims:
        assert ARTICLE[c.sentence_start:c.sentence_end] == c.sentence
        assert c.sentence_start <= c.claim_start < c.claim_end <= c.sentence_end
    low = [s for s in result.sentences if "common tactic" in s.text]
    assert low and not low[0].checkworthy
    assert not any("common tactic" in c.sentence for c in result.claims)


@pytest.mark.real
def test_references_are_resolved_to_named_entities() -> None:
    result = extract_claims(ARTICLE, scorer=digit_scorer, threshold=0.5)
    texts = [c.claim_text for c in result.claims]
    assert "Zalmay Khalilzad said 5,000 prisoners would be freed by March 10." in texts
    group = [c for c in result.claims if "338" in c.claim_text][0]
    assert group.claim_text.startswith("IS-K killed 338 civilians")
    assert ("The group", "IS-K") in [(r.original, r.replacement) for r in group.rewrites]
    # the original sentence is kept beside the rewritten claim
    assert group.sentence.startswith("The group killed 338")


@pytest.mark.real
def test_sentence_with_two_figures_becomes_two_claims() -> None:
    result = extract_claims(ARTICLE, scorer=digit_scorer, threshold=0.5)
    split = [c for c in result.claims if c.sentence.startswith("The group killed")]
    assert [c.figure for c in split] == ["338", "800"]
    assert split[0].claim_text == "IS-K killed 338 civilians in Pakistan since January 2017."
    assert split[1].claim_text == "IS-K had 800 fighters in 2018."
    assert split[0].sentence == split[1].sentence
    assert [c.index for c in result.claims] == list(range(len(result.claims)))


@pytest.mark.real
def test_event_reference_takes_the_earlier_specific_mention() -> None:
    text = ("The United States and the Taliban signed an agreement in Doha on February 29, 2020. "
            "The deal calls for the release of 5,000 Taliban prisoners.")
    result = extract_claims(text, scorer=digit_scorer, threshold=0.5)
    deal = [c for c in result.claims if "5,000" in c.claim_text][0]
    assert deal.claim_text.startswith("The agreement in Doha calls for")


@pytest.mark.real
def test_no_rewrite_when_the_antecedent_is_in_the_same_sentence() -> None:
    text = "Zalmay Khalilzad met officials in Doha. Washington said it would withdraw 8,600 troops."
    result = extract_claims(text, scorer=digit_scorer, threshold=0.5)
    claim = [c for c in result.claims if "8,600" in c.claim_text][0]
    assert claim.claim_text == "Washington said it would withdraw 8,600 troops."
    assert claim.rewrites == ()


# ---- batch audits ---------------------------------------------------------------------------
def test_audit_verifies_claims_and_stores_them(corpus_ws: Any, tmp_path: Path, blank_nlp: Any) -> None:
    paths = write(tmp_path / "articles", ARTICLES)
    result = audit(corpus_ws, paths, blank_nlp)
    assert [a.status for a in result.articles] == [DONE] * 5
    assert [a.title for a in result.articles] == ["One", "Two", "Three", "Four", "Five"]
    first = result.articles[0]
    assert len(first.claims) == 1                         # "common tactic" is not check-worthy
    claim = first.claims[0]
    assert first.text[claim.sentence_start:claim.sentence_end] == claim.sentence
    assert claim.verdict in ("SUPPORTED", "REFUTED", "CONFLICTING", "NOT ENOUGH EVIDENCE")
    assert claim.best_support is not None and claim.best_support.source == "thinktank.org"
    assert claim.best_support.url == "https://thinktank.org/isk"
    c = counts(corpus_ws)
    assert c["articles"] == 5 and c["claims"] == 5 and c["checks"] == 5 and c["linked_checks"] == 5
    assert result.summary["claims_checked"] == 5
    assert first.summary["claims_checked"] == 1
    # every scored sentence is reported with its offsets, check-worthy or not
    assert [round(v, 2) for _, _, v in first.sentence_scores] == [0.9, 0.1]
    assert [first.text[a:b] for a, b, _ in first.sentence_scores][1] == \
        "Raids of this type are a common tactic."


def test_rerunning_the_same_audit_skips_everything(corpus_ws: Any, tmp_path: Path,
                                                   blank_nlp: Any) -> None:
    paths = write(tmp_path / "articles", ARTICLES)
    first = audit(corpus_ws, paths, blank_nlp)
    before = counts(corpus_ws)
    again = audit(corpus_ws, paths, blank_nlp)
    assert again.audit_id == first.audit_id
    assert (again.skipped, again.processed) == (5, 0)
    assert counts(corpus_ws) == before
    assert again.to_dict(include_text=False)["articles"] == first.to_dict(include_text=False)["articles"]
    # changed content -> a different audit
    paths[1].write_text(ARTICLES["a2.md"].replace("1,700", "1,900"), encoding="utf-8")
    assert audit(corpus_ws, paths, blank_nlp).audit_id != first.audit_id


class Crash(BaseException):
    """Stands in for a killed process (not caught as an article failure)."""


def test_crash_on_third_article_then_resume_loses_and_duplicates_nothing(
        corpus_ws: Any, tmp_path: Path, blank_nlp: Any) -> None:
    from verify.checks.pipeline import check_claim

    paths = write(tmp_path / "articles", ARTICLES)

    def crashing(claim: str) -> Any:
        if "Kandahar" in claim:
            raise Crash("power cut")
        return check_claim(corpus_ws, claim, save=False)

    with pytest.raises(Crash):
        audit(corpus_ws, paths, blank_nlp, verifier=crashing)
    c = counts(corpus_ws)
    assert c["articles"] == 2 and c["claims"] == 2 and c["checks"] == 2   # a1, a2 kept
    status = corpus_ws.db.execute("SELECT status FROM audits").fetchone()[0]
    assert status == "running"

    result = audit(corpus_ws, paths, blank_nlp)
    assert (result.skipped, result.processed) == (2, 3)
    assert [a.status for a in result.articles] == [DONE] * 5
    c = counts(corpus_ws)
    assert c == {"articles": 5, "claims": 5, "linked_checks": 5, "checks": 5}
    assert corpus_ws.db.execute("SELECT status FROM audits").fetchone()[0] == "done"


def test_verifier_error_marks_the_article_failed_and_resume_retries_it(
        corpus_ws: Any, tmp_path: Path, blank_nlp: Any) -> None:
    from verify.checks.pipeline import check_claim

    paths = write(tmp_path / "articles", ARTICLES)

    def flaky(claim: str) -> Any:
        if "Kandahar" in claim:
            raise RuntimeError("stance model ran out of memory")
        return check_claim(corpus_ws, claim, save=False)

    result = audit(corpus_ws, paths, blank_nlp, verifier=flaky)
    assert [a.status for a in result.articles] == [DONE, DONE, FAILED, DONE, DONE]
    assert "stance model ran out of memory" in result.articles[2].message
    assert counts(corpus_ws)["checks"] == 4
    again = audit(corpus_ws, paths, blank_nlp)
    assert (again.skipped, again.processed) == (4, 1)
    assert [a.status for a in again.articles] == [DONE] * 5
    assert counts(corpus_ws) == {"articles": 5, "claims": 5, "linked_checks": 5, "checks": 5}


def test_resume_by_audit_id_uses_the_stored_inputs(corpus_ws: Any, tmp_path: Path,
                                                   blank_nlp: Any) -> None:
    paths = write(tmp_path / "articles", ARTICLES)
    first = audit(corpus_ws, paths, blank_nlp, audit_id="my-audit")
    assert first.audit_id == "my-audit"
    again = audit(corpus_ws, [], blank_nlp, audit_id="my-audit")
    assert again.skipped == 5 and len(again.articles) == 5
    restarted = audit(corpus_ws, paths, blank_nlp, audit_id="my-audit", resume=False)
    assert restarted.processed == 5 and counts(corpus_ws)["articles"] == 5


def test_bad_inputs_get_statuses_and_the_batch_goes_on(corpus_ws: Any, tmp_path: Path,
                                                       blank_nlp: Any) -> None:
    files: dict[str, str | bytes] = {
        "good.md": ARTICLES["a2.md"],
        "empty.txt": "",
        "opinion.txt": "We should all think harder about this. Nobody knows what comes next.",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 50,
        "bad-encoding.txt": b"Prices rose \x81\x8d\x8f\x90\x9d by 5 percent in 2019 \x01\x02\x03.",
        "huge.txt": ("The prison held 1,700 prisoners in 2020. " * 130_000),
    }
    paths = write(tmp_path / "bad", files)
    (tmp_path / "bad" / "feed.jsonl").write_text(
        json.dumps({"id": "r1", "title": "Row", "body": "The Jalalabad prison held about 1,700 prisoners."})
        + "\n{not json\n" + json.dumps({"id": "r3", "title": "No text"}) + "\n", encoding="utf-8")
    assert (tmp_path / "bad" / "huge.txt").stat().st_size > 5_000_000
    result = audit(corpus_ws, [*paths, tmp_path / "bad" / "feed.jsonl"], blank_nlp,
                   fields={"text": "body"})
    by_name = {Path(a.file_path).name + ("#" + a.key.split("#")[1] if "#" in a.key else ""): a
               for a in result.articles}
    assert by_name["good.md"].status == DONE
    assert by_name["empty.txt"].status == EMPTY
    assert by_name["opinion.txt"].status == NO_CLAIMS
    assert by_name["binary.txt"].status == UNREADABLE and "binary" in by_name["binary.txt"].message
    assert by_name["bad-encoding.txt"].status == UNREADABLE
    assert by_name["huge.txt"].status == TOO_LARGE and "limit" in by_name["huge.txt"].message
    assert by_name["feed.jsonl#r1"].status == DONE and by_name["feed.jsonl#r1"].title == "Row"
    assert by_name["feed.jsonl#line 2"].status == UNREADABLE
    assert "line 2" in by_name["feed.jsonl#line 2"].message
    assert by_name["feed.jsonl#r3"].status == EMPTY and "body" in by_name["feed.jsonl#r3"].message
    assert counts(corpus_ws)["articles"] == len(result.articles) == 9


def test_too_large_limit_is_configurable(corpus_ws: Any, tmp_path: Path, blank_nlp: Any) -> None:
    paths = write(tmp_path / "articles", {"a2.md": ARTICLES["a2.md"]})
    result = audit(corpus_ws, paths, blank_nlp, max_chars=20)
    assert result.articles[0].status == TOO_LARGE
    assert "20" in result.articles[0].message


def test_nothing_to_audit_is_a_clear_error(ws: Any, tmp_path: Path) -> None:
    from verify.errors import InputError

    with pytest.raises(InputError, match="nothing to audit"):
        run_audit(ws, [], progress=False)
    with pytest.raises(InputError, match="no audit with id"):
        run_audit(ws, [], audit_id="nope", progress=False)
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(InputError, match="no article files"):
        run_audit(ws, [tmp_path / "empty-dir"], progress=False)


def test_cli_audit_writes_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import verify.audit.runner as runner
    from verify.cli import cli

    write(tmp_path / "articles", {"a2.md": ARTICLES["a2.md"]})
    seen: dict[str, Any] = {}

    def fake_run(ws: Any, inputs: Any, **kw: Any) -> Any:
        seen.update(kw, inputs=inputs)
        from verify.audit.models import ArticleReport, AuditResult

        return AuditResult("audit-x", "done", None, None, [str(p) for p in inputs], {},
                           articles=[ArticleReport("k", "k", DONE, title="Two")],
                           outputs=list(kw.get("out") or []))

    monkeypatch.setattr(runner, "run_audit", fake_run)
    monkeypatch.setattr("verify.audit.run_audit", fake_run)
    out = tmp_path / "r.html"
    res = CliRunner().invoke(cli, ["-w", str(tmp_path / "ws"), "audit", str(tmp_path / "articles"),
                                   "--out", str(out), "--threshold", "0.7", "--json",
                                   "--text-field", "body", "--no-progress"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["audit_id"] == "audit-x" and data["outputs"] == [str(out)]
    assert seen["threshold"] == 0.7 and seen["fields"] == {"text": "body"}
    assert seen["progress"] is False and seen["resume"] is True
    res = CliRunner().invoke(cli, ["-w", str(tmp_path / "ws"), "audit"])
    assert res.exit_code != 0 and "--resume" in res.output


def test_two_verify_threads_give_the_same_results(corpus_ws: Any, tmp_path: Path,
                                                  blank_nlp: Any) -> None:
    paths = write(tmp_path / "articles", ARTICLES)
    one = audit(corpus_ws, paths, blank_nlp, audit_id="one-thread")
    two = audit(corpus_ws, paths, blank_nlp, audit_id="two-threads", workers=2)

    def verdicts(result: Any) -> list[tuple[str, str | None, float | None]]:
        return [(c.claim_text, c.verdict, c.confidence) for _, c in result.claims()]

    assert verdicts(one) == verdicts(two)
    assert counts(corpus_ws)["checks"] == 10


def test_a_missing_model_stops_the_audit_with_a_clear_error(corpus_ws: Any, tmp_path: Path,
                                                            blank_nlp: Any) -> None:
    from verify.checks.pipeline import check_claim
    from verify.errors import ModelLoadError

    paths = write(tmp_path / "articles", ARTICLES)

    def no_model_after_two(claim: str) -> Any:
        if "Kandahar" in claim:
            raise ModelLoadError("stance model files missing")
        return check_claim(corpus_ws, claim, save=False)

    with pytest.raises(ModelLoadError, match="stance model files missing"):
        audit(corpus_ws, paths, blank_nlp, verifier=no_model_after_two)
    assert counts(corpus_ws)["articles"] == 2          # what was done is kept for a resume
    assert audit(corpus_ws, paths, blank_nlp).processed == 3


def test_a_repeated_claim_is_checked_once_per_run(corpus_ws: Any, tmp_path: Path,
                                                  blank_nlp: Any) -> None:
    paths = write(tmp_path / "articles", {"original.md": ARTICLES["a2.md"],
                                          "syndicated.md": ARTICLES["a2.md"].replace("Two", "Copy")})
    result = audit(corpus_ws, paths, blank_nlp)
    ids = [c.check_id for _, c in result.claims()]
    assert len(ids) == 2 and ids[0] == ids[1]
    assert counts(corpus_ws) == {"articles": 2, "claims": 2, "linked_checks": 1, "checks": 1}


def test_resuming_by_id_redoes_an_article_whose_content_changed(corpus_ws: Any, tmp_path: Path,
                                                                blank_nlp: Any) -> None:
    paths = write(tmp_path / "articles", {"a2.md": ARTICLES["a2.md"], "a3.md": ARTICLES["a3.md"]})
    audit(corpus_ws, paths, blank_nlp, audit_id="desk")
    paths[0].write_text(ARTICLES["a2.md"].replace("1,700", "1,900"), encoding="utf-8")
    again = audit(corpus_ws, paths, blank_nlp, audit_id="desk")
    assert (again.skipped, again.processed) == (1, 1)
    assert "1,900" in again.articles[0].claims[0].claim_text
    assert counts(corpus_ws)["claims"] == 2


def test_list_audits_shows_each_audit_with_its_counts(corpus_ws: Any, tmp_path: Path,
                                                     blank_nlp: Any) -> None:
    from verify.audit import list_audits

    paths = write(tmp_path / "listed", ARTICLES)
    result = audit(corpus_ws, paths, blank_nlp)
    listed = {a["audit_id"]: a for a in list_audits(corpus_ws)}
    assert result.audit_id in listed
    entry = listed[result.audit_id]
    assert entry["articles"] == len(ARTICLES)
    stored_claims = corpus_ws.db.execute(
        "SELECT count(*) FROM audit_claims WHERE audit_id = ?", [result.audit_id]).fetchone()[0]
    assert entry["claims"] == stored_claims > 0
