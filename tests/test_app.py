"""The Streamlit desk driven with AppTest, on the real library and the demo corpus.

One demo workspace is built per module (real MiniLM, FAISS, DuckDB, stance model)
and every test points VERIFY_HOME at it, so the app opens it as its default.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 180
SUPPORTED_CLAIM = "IS-K killed 338 civilians in Pakistan since 2017"
INFLATED_CLAIM = "IS-K killed more than 3,000 civilians in Pakistan since 2017"

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A VERIFY_HOME whose default workspace holds the ingested demo corpus."""
    from verify.demo import ensure_demo_workspace

    home = tmp_path_factory.mktemp("desk-home")
    ws = ensure_demo_workspace(home / "demo")
    ws.close()
    return home


def open_app(home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The desk, opened on the default workspace of ``home`` (Check page)."""
    monkeypatch.setenv("VERIFY_HOME", str(home))
    monkeypatch.delenv("VERIFY_WORKSPACE", raising=False)
    monkeypatch.delenv("VERIFY_DESK_ROOTS", raising=False)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The desk, opened on the demo workspace (Check page)."""
    return open_app(demo_home, monkeypatch)


def page_html(at: AppTest) -> str:
    """Everything the page rendered as markdown/HTML, entities decoded."""
    return html.unescape("\n".join(str(m.value) for m in [*at.markdown, *at.html]))


def page_text(at: AppTest) -> str:
    """Visible text: markdown with tags stripped, plus captions, alerts and headings."""
    parts = [re.sub(r"<[^>]+>", " ", page_html(at))]
    for group in (at.caption, at.success, at.info, at.warning, at.error, at.title,
                  at.subheader, at.header, at.text):
        parts.extend(str(e.value) for e in group)
    return "\n".join(parts)


def run_check(at: AppTest, claim: str) -> AppTest:
    at.text_area(key="claim").input(claim)
    submit = next(b for b in at.button if b.label == "Check claim")
    submit.click()
    at.run()
    assert not at.exception, at.exception
    return at


def verdict_of(at: AppTest) -> str | None:
    found = re.search(r'data-verdict="([^"]+)"', page_html(at))
    return found.group(1) if found else None


def table_with(at: AppTest, column: str):
    """The first dataframe on the page that has ``column``."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a {column!r} column")


def keyed(group, field: str):  # noqa: ANN001 - an AppTest element list
    """The one widget of ``group`` for form field ``field``: desk forms key their widgets
    ``field::object id::revision`` (verify.ui.forms.widget_key)."""
    found = [w for w in group if str(w.key or "").startswith(field + "::")]
    assert len(found) == 1, f"expected one {field!r} widget, found {len(found)}"
    return found[0]


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def test_check_supported_claim_shows_verdict_and_supporting_source(app: AppTest) -> None:
    run_check(app, SUPPORTED_CLAIM)
    assert verdict_of(app) == "SUPPORTED"
    result = app.session_state["check_result"]
    supporting = result.by_stance("supports")
    assert supporting, "a SUPPORTED verdict needs supporting evidence"
    shown = page_html(app)
    best = supporting[0]
    assert best.passage.domain in shown
    assert "338" in best.passage.text
    assert "<mark>338" in shown or "<mark>" in shown  # matching spans are highlighted
    assert any(t.label.startswith("Supporting (") for t in app.tabs)


def test_inflated_figure_is_refuted_with_number_mismatch(app: AppTest) -> None:
    run_check(app, INFLATED_CLAIM)
    assert verdict_of(app) == "REFUTED"
    result = app.session_state["check_result"]
    refuting = result.by_stance("refutes")
    assert refuting
    assert refuting[0].passage.domain in page_html(app)
    # the numbers table shows the claim's figure against the evidence's 338
    tables = [m for m in page_html(app).split('<table class="vf-align">')[1:]]
    assert any("3,000" in t and "338" in t and "mismatch" in t for t in tables), tables


def test_empty_claim_gives_friendly_message(app: AppTest) -> None:
    run_check(app, "   ")
    assert any("Type a claim" in str(w.value) for w in app.warning)
    assert verdict_of(app) is None


def test_review_is_recorded(app: AppTest) -> None:
    run_check(app, SUPPORTED_CLAIM)
    machine = app.session_state["check_result"].verdict
    override = "CONFLICTING" if machine != "CONFLICTING" else "NOT ENOUGH EVIDENCE"
    check_id = app.session_state["check_result"].check_id
    assert keyed(app.selectbox, "review_verdict").key.startswith(f"review_verdict::{check_id}::")
    keyed(app.selectbox, "review_verdict").set_value(override)
    keyed(app.text_input, "review_name").input("Amina")
    keyed(app.text_area, "review_note").input("Second source pending")
    app.run()
    assert (f"Will record: verdict {override} (overrides the tool's {machine}) on check "
            f"{check_id}, by Amina") in page_html(app)
    next(b for b in app.button if b.label == "Record review").click()
    app.run()
    assert any(f"overridden to {override} by Amina" in str(s.value) for s in app.success)
    go(app, "app_pages/history.py")
    table = table_with(app, "reviewed as")
    row = table[table["check id"] == app.session_state["check_result"].check_id]
    assert list(row["reviewed as"]) == [override]
    assert list(row["reviewer"]) == ["Amina"]


def test_confirming_a_check_after_another_records_its_own_verdict(app: AppTest) -> None:
    """Issue 20 item 10: confirming the 338-civilians claim after a REFUTED check recorded
    "overridden to REFUTED" because the review form kept the previous check's verdict."""
    run_check(app, INFLATED_CLAIM)
    assert keyed(app.selectbox, "review_verdict").value == "REFUTED"
    run_check(app, SUPPORTED_CLAIM)
    result = app.session_state["check_result"]
    assert result.verdict == "SUPPORTED"
    assert keyed(app.selectbox, "review_verdict").value == "SUPPORTED"
    keyed(app.text_input, "review_name").input("Amina")
    next(b for b in app.button if b.label == "Record review").click()
    app.run()
    assert not app.exception, app.exception
    assert any(f"Review recorded on check {result.check_id}: verdict confirmed by Amina"
               in str(s.value) for s in app.success), [s.value for s in app.success]
    go(app, "app_pages/history.py")
    table = table_with(app, "reviewed as")
    row = table[table["check id"] == result.check_id]
    assert list(row["reviewed as"]) == ["SUPPORTED"]


def test_history_lists_the_check_and_reopens_it(app: AppTest) -> None:
    run_check(app, INFLATED_CLAIM)
    check_id = app.session_state["check_result"].check_id
    go(app, "app_pages/history.py")
    table = table_with(app, "reviewed as")
    assert check_id in set(table["check id"])
    assert INFLATED_CLAIM in set(table["claim"])
    app.session_state["check_result"] = None
    app.selectbox(key="history_check_pick").set_value(check_id)
    next(b for b in app.button if b.label == "Open in Check page").click()
    app.run()
    assert not app.exception
    assert app.session_state["check_result"].check_id == check_id
    assert verdict_of(app) == "REFUTED"


def test_rating_change_appears_in_source_history(app: AppTest) -> None:
    go(app, "app_pages/sources.py")
    domains = app.selectbox(key="source_pick").options
    assert domains
    domain = domains[0]
    app.selectbox(key="source_pick").set_value(domain)
    app.run()
    assert keyed(app.slider, "rate_value").key.startswith(f"rate_value::{domain}::")
    keyed(app.slider, "rate_value").set_value(0.35)
    keyed(app.text_input, "rate_by").input("Amina Test")
    keyed(app.text_area, "rate_rationale").input("Two uncorrected errors in 2020")
    app.run()
    assert f"Will save: {domain} rated 0.35" in page_html(app)
    next(b for b in app.button if b.label == "Save rating").click()
    app.run()
    assert not app.exception, app.exception
    assert any("saved" in str(s.value) for s in app.success)
    history = table_with(app, "rationale")
    mine = history[history["rater"] == "Amina Test"]
    assert len(mine) == 1
    assert float(mine["reliability"].iloc[0]) == pytest.approx(0.35)
    assert mine["rationale"].iloc[0] == "Two uncorrected errors in 2020"


def test_corpus_page_shows_stats_and_index(app: AppTest) -> None:
    go(app, "app_pages/corpus.py")
    metrics = {m.label: m.value for m in app.metric}
    assert int(metrics["Documents"]) >= 20
    assert int(metrics["Passages"]) > int(metrics["Documents"])
    assert int(metrics["Sources"]) >= 5
    assert metrics["In sync"] == "yes"
    assert int(metrics["Vectors"]) == int(metrics["Passages"])


def test_hostile_document_is_shown_as_text(app: AppTest, demo_home: Path,
                                           tmp_path: Path) -> None:
    from verify.workspace import Workspace

    doc = tmp_path / "hostile.md"
    doc.write_text(
        "---\ntitle: \"Quarry <script>alert('t')</script> report\"\n"
        "url: https://hostile.example/quarry\ndate: 2020-08-09\n---\n\n"
        "The Zelborn quarry produced 4,417 tonnes of basalt in 2020 "
        "<script>alert('x')</script> <img src=x onerror=alert(1)> according to its owner.\n",
        encoding="utf-8")
    with Workspace.open(demo_home / "demo") as ws:
        report = ws.ingest([doc])
        assert report.added == 1, report.errors
    try:
        run_check(app, "The Zelborn quarry produced 4,417 tonnes of basalt in 2020")
        raw = "\n".join(str(m.value) for m in [*app.markdown, *app.html])
        assert "Zelborn" in raw
        assert "<script>" not in raw and "<img src=x" not in raw
        assert "&lt;script&gt;" in raw and "&lt;img src=x onerror=alert&#40;1&#41;&gt;" in raw
    finally:
        with Workspace.open(demo_home / "demo") as ws:
            ws.remove(str(doc))


PARAGRAPH = (
    "IS-K has killed 338 civilians in Pakistan since January 2017, according to CSIS. "
    "The group had about 800 fighters in 2018. When gunmen stormed the Jalalabad prison in "
    "August 2020 it held 17,000 prisoners."
)


def test_audit_of_pasted_paragraph_lists_its_claims(app: AppTest) -> None:
    go(app, "app_pages/audit.py")
    app.text_area(key="audit_text").input(PARAGRAPH)
    next(b for b in app.button if b.label == "Audit pasted text").click()
    app.run()
    assert not app.exception, app.exception
    claims = table_with(app, "check-worthiness")
    assert len(claims) >= 2
    assert any("338" in c for c in claims["claim"])
    assert any("17,000" in c for c in claims["claim"])
    assert set(claims["verdict"]) <= {"SUPPORTED", "REFUTED", "CONFLICTING",
                                      "NOT ENOUGH EVIDENCE", "error"}
    # the article is shown with each claim highlighted by verdict, escaped
    shown = page_html(app)
    assert 'class="vf-claim-' in shown and "17,000 prisoners" in shown
    # one expander per claim, and a download for every report format
    assert sum(1 for e in app.expander if e.label.startswith("\\#")) == len(claims)
    labels = {b.label for b in app.get("download_button")}
    assert {"HTML report", "Markdown", "CSV", "JSON", "JSON Lines", "ClaimReview"} <= labels


def test_corpus_folder_ingest_reports_bad_files_and_keeps_good_ones(
        app: AppTest, demo_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.workspace import Workspace

    monkeypatch.setenv("VERIFY_DESK_ROOTS", str(tmp_path))  # the desk reads only under roots
    folder = tmp_path / "drop"
    folder.mkdir()
    good = folder / "good.md"
    good.write_text("---\ntitle: Harbour dredging\ndate: 2020-08-09\n---\n\n"
                    "The harbour authority dredged 12,000 cubic metres of silt in August.\n",
                    encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf \x00\x01\x02")
    go(app, "app_pages/corpus.py")
    app.text_input(key="corpus_path").input(str(folder))
    next(b for b in app.button if b.label == "Ingest folder").click()
    app.run()
    try:
        assert not app.exception, app.exception
        metrics = {m.label: m.value for m in app.metric}
        assert int(metrics["Added"]) == 1
        assert int(metrics["Failed"]) == 1
        assert any("could not be ingested" in str(e.value) for e in app.error)
        errors = table_with(app, "reason")
        assert any("broken.pdf" in p for p in errors["path"])
    finally:
        with Workspace.open(demo_home / "demo") as ws:
            ws.remove(str(good))


def test_locked_workspace_shows_busy_message(app: AppTest, demo_home: Path) -> None:
    import subprocess
    import sys

    db = demo_home / "demo" / "verify.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
         " time.sleep(120)", str(db)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        app.run()
        assert not app.exception, app.exception
        assert any("workspace is busy" in str(w.value) for w in app.warning)
    finally:
        holder.terminate()
        holder.wait(timeout=10)
    app.run()
    assert not any("workspace is busy" in str(w.value) for w in app.warning)


def _db_locked(db: Path) -> bool:
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1]).close()", str(db)],
        capture_output=True, text=True, timeout=60)
    return probe.returncode != 0


def test_desk_keeps_its_workspace_between_runs_and_lets_the_cli_in(
        app: AppTest, demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With VERIFY_DESK_KEEP_S (the desk's default is 120 s) the workspace stays open between
    runs; a verify process that waits for it (the CLI) gets it at once, and the desk opens it
    again on its next run."""
    import subprocess
    import sys

    db = demo_home / "demo" / "verify.duckdb"
    monkeypatch.setenv("VERIFY_DESK_KEEP_S", "60")
    try:
        run_check(app, SUPPORTED_CLAIM)
        assert _db_locked(db), "the desk did not keep its workspace open between runs"
        cli = subprocess.run(
            [sys.executable, "-c", "import sys; from verify.store import Store; "
             "s = Store.open(sys.argv[1]); print(s.fetchone('SELECT count(*) FROM checks')[0]);"
             " s.close()", str(db.parent)], capture_output=True, text=True, timeout=120)
        assert cli.returncode == 0 and int(cli.stdout.strip()) >= 1, cli.stderr
        run_check(app, INFLATED_CLAIM)
        assert verdict_of(app) is not None
    finally:
        monkeypatch.setenv("VERIFY_DESK_KEEP_S", "0")
        app.run()   # the next run closes what was kept
    assert not _db_locked(db)


def test_every_page_releases_the_workspace_between_runs(app: AppTest, demo_home: Path) -> None:
    """The CLI can ingest while the desk is open: no page keeps the database locked."""
    db = demo_home / "demo" / "verify.duckdb"
    for page in ("app_pages/check.py", "app_pages/audit.py", "app_pages/sources.py",
                 "app_pages/corpus.py", "app_pages/history.py"):
        go(app, page)
        assert not _db_locked(db), f"{page} left the workspace database locked"


def test_sidebar_source_filter_limits_the_evidence(app: AppTest) -> None:
    app.multiselect(key="f_sources").set_value(["globewire-news.com"])
    run_check(app, SUPPORTED_CLAIM)
    result = app.session_state["check_result"]
    assert result.evidence
    assert {e.passage.domain for e in result.evidence} == {"globewire-news.com"}


def learn_from_reviews(at: AppTest) -> AppTest:
    """History → Learned verdicts → "Learn from reviews"."""
    go(at, "app_pages/history.py")
    next(b for b in at.button if b.label == "Learn from reviews").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_learned_verdicts_tab_explains_what_it_needs(app: AppTest) -> None:
    learn_from_reviews(app)
    assert any("Reviewed checks in this workspace: **" in str(m.value) for m in app.markdown)
    errors = " ".join(str(e.value) for e in app.error)
    assert "at least 60 reviewed checks" in errors, errors
    assert "Traceback" not in page_text(app)


@pytest.fixture(scope="module")
def reviewed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A VERIFY_HOME of its own (so no other test sees a learned head) whose demo
    workspace has 60 reviewed checks: the true figures SUPPORTED, changed ones REFUTED."""
    from verify.checks.pipeline import check_claims
    from verify.demo import ensure_demo_workspace

    home = tmp_path_factory.mktemp("learn-home")
    ws = ensure_demo_workspace(home / "demo")
    true = [SUPPORTED_CLAIM, "The Jalalabad prison held 1,700 prisoners"]
    changed = [INFLATED_CLAIM, "IS-K killed 90 civilians in Pakistan since 2017",
               "The Jalalabad prison held 17,000 prisoners",
               "The Jalalabad prison held 300 prisoners"]
    claims = (true + changed) * 10
    for result, claim in zip(check_claims(ws, claims), claims, strict=True):
        ws.review(result.check_id, "SUPPORTED" if claim in true else "REFUTED", "test desk")
    ws.close()
    return home


def test_learn_from_reviews_lists_the_head_and_switches_it_off(
        reviewed_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = learn_from_reviews(open_app(reviewed_home, monkeypatch))
    assert any("Reviewed checks in this workspace: **60**" in str(m.value) for m in app.markdown)
    flashed = " ".join(str(s.value) for s in app.success)
    assert "cross-validated macro-F1 on 60 reviews" in flashed, flashed
    heads = table_with(app, "cv_head_f1")
    assert len(heads) == 1 and list(heads["n_reviews"]) == [60]
    if bool(heads["active"].iloc[0]):     # switched on only when it beat the rule
        next(b for b in app.button if b.label == "Switch learned verdicts off").click()
        app.run()
        assert not app.exception, app.exception
        assert any("switched off" in str(s.value) for s in app.success)
    else:
        assert "not activated" in flashed
    assert not any(b.label == "Switch learned verdicts off" for b in app.button)


def test_past_verdicts_upload_imports_and_names_the_unreadable_row(app: AppTest,
                                                                   demo_home: Path) -> None:
    """History → Learned verdicts → Import past verdicts, with AppTest's file uploader."""
    go(app, "app_pages/history.py")
    archive = (b"claim,verdict\n"
               b'"The Jalalabad prison held 1,700 prisoners",Mostly true\n'
               b'"The Jalalabad prison held 17,000 prisoners",False\n'
               b"IS-K had about 800 fighters in 2018,Satire\n")
    app.file_uploader(key="history_past_file").set_value(("desk.csv", archive, "text/csv"))
    app.text_input(key="history_past_by").set_value("app test desk")
    app.run()
    next(b for b in app.button if b.label == "Import").click()
    app.run()
    assert not app.exception, app.exception
    flashed = " ".join(str(s.value) for s in app.success)
    # both facts: two rows became reviews, and all three (Satire included: the archive
    # keeps ratings with no verdict) went into the fact-check archive
    assert ("Imported 2 past verdicts as reviews by app test desk (REFUTED 1, SUPPORTED 1); "
            "0 already there; 3 added to the fact-check archive. "
            "1 row not recorded as a review:") in flashed, flashed
    assert "desk.csv:4: rating 'Satire' has no verify verdict" in flashed
    from verify import Workspace
    from verify.archive import list_fact_checks

    with Workspace.open(demo_home / "demo") as ws:
        ratings = {f.claim: f.rating for f in list_fact_checks(ws, "Jalalabad")
                   + list_fact_checks(ws, "IS-K 800")}
    assert ratings["IS-K had about 800 fighters in 2018"] == "Satire"
    assert ratings["The Jalalabad prison held 17,000 prisoners"] == "False"
