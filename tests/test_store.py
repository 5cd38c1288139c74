"""The Store: one owner of transactions (re-entrant), read-only refusals, cursors of
their own, and the subsystems that take a Store instead of the whole Workspace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pytest

from verify.errors import ReadOnlyWorkspaceError, WorkspaceError
from verify.store import DB_FILENAME, Store
from verify.types import CheckResult


def count(store: Store, table: str = "sources") -> int:
    row = store.fetchone(f"SELECT count(*) FROM {table}")
    assert row is not None
    return int(row[0])


def add(store: Store, domain: str) -> None:
    store.execute("INSERT INTO sources (domain) VALUES (?)", [domain])


@pytest.fixture
def store() -> Any:
    s = Store.memory()
    yield s
    s.close()


def test_open_creates_and_migrates_the_file(tmp_path: Path) -> None:
    with Store.open(tmp_path / "ws") as s:
        assert (tmp_path / "ws" / DB_FILENAME).is_file()
        assert s.path == tmp_path / "ws" and not s.read_only
        assert count(s, "migrations") > 0 and count(s) == 0


def test_a_transaction_commits_on_a_clean_exit(store: Store) -> None:
    with store.transaction() as tx:
        assert tx is store and store.in_transaction
        add(store, "a.org")
    assert not store.in_transaction
    assert count(store) == 1


def test_a_nested_transaction_joins_the_outer_one(store: Store) -> None:
    other = store.cursor()                       # sees committed state only
    with store.transaction():
        add(store, "a.org")
        with store.transaction():                # no second BEGIN (DuckDB would refuse it)
            add(store, "b.org")
            with store.transaction():
                add(store, "c.org")
        assert store.in_transaction
        assert count(store) == 3
        assert count(other) == 0                 # the nested blocks committed nothing early
    assert count(other) == 3
    other.close()


def test_an_error_in_a_nested_block_rolls_back_the_whole_transaction(store: Store) -> None:
    with pytest.raises(ValueError, match="boom"):
        with store.transaction():
            add(store, "a.org")
            with store.transaction():
                add(store, "b.org")
                raise ValueError("boom")
    assert count(store) == 0 and not store.in_transaction
    with store.transaction():                    # the store is usable again
        add(store, "c.org")
    assert count(store) == 1


def test_an_error_in_the_outer_block_rolls_back_what_the_nested_ones_wrote(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.transaction():
            with store.transaction():
                add(store, "a.org")
            raise RuntimeError("after the nested block")
    assert count(store) == 0


def test_a_caught_nested_error_still_rolls_back_the_outer_transaction(store: Store) -> None:
    with pytest.raises(WorkspaceError, match="rolled back"):
        with store.transaction():
            add(store, "a.org")
            try:
                with store.transaction():
                    add(store, "a.org")          # unique constraint
            except duckdb.Error:
                pass                              # swallowed: the outer must not commit half
    assert count(store) == 0
    with store.transaction():
        add(store, "b.org")
    assert count(store) == 1


def test_a_database_error_rolls_back_and_propagates(store: Store) -> None:
    add(store, "a.org")
    with pytest.raises(duckdb.ConstraintException):
        with store.transaction():
            add(store, "b.org")
            add(store, "a.org")
    assert count(store) == 1


def test_a_cursor_has_transactions_of_its_own(store: Store) -> None:
    with store.transaction():
        add(store, "held.org")
        with store.cursor() as own, own.transaction():
            add(own, "own.org")
    assert count(store) == 2
    with pytest.raises(KeyError):
        with store.transaction():
            add(store, "dropped.org")
            with store.cursor() as own, own.transaction():
                add(own, "kept.org")
            raise KeyError("x")
    domains = {d for (d,) in store.fetchall("SELECT domain FROM sources")}
    assert "kept.org" in domains and "dropped.org" not in domains


def test_a_read_only_store_refuses_writes_with_a_domain_error(tmp_path: Path) -> None:
    Store.open(tmp_path / "ws").close()
    with Store.open(tmp_path / "ws", read_only=True) as ro:
        assert ro.read_only and count(ro) == 0             # reads work
        with pytest.raises(ReadOnlyWorkspaceError, match="read-only"):
            with ro.transaction():
                add(ro, "a.org")
        with pytest.raises(ReadOnlyWorkspaceError) as err:
            add(ro, "a.org")
        assert err.value.hint and isinstance(err.value, WorkspaceError)
        with pytest.raises(ReadOnlyWorkspaceError):
            ro.executemany("INSERT INTO sources (domain) VALUES (?)", [["a.org"]])
        with pytest.raises(ReadOnlyWorkspaceError):
            with ro.cursor() as own, own.transaction():
                pass
        assert not ro.in_transaction and count(ro) == 0


def test_migrate_accepts_a_bare_connection() -> None:
    from verify.migrations import migrate

    con = duckdb.connect(":memory:")
    assert "0001_core" in migrate(con)
    assert migrate(con) == []


def _result(check_id: str) -> CheckResult:
    return CheckResult(check_id=check_id, claim="a claim", verdict="NOT ENOUGH EVIDENCE",
                       confidence=0.5, reason="test", support_score=0.0, refute_score=0.0,
                       evidence=(), decisive_passage_ids=(), claim_quantities=(),
                       model_versions={}, created_at=dt.datetime(2026, 1, 1))


def test_save_check_commits_alone_and_joins_a_callers_transaction(ws: Any) -> None:
    from verify.checks.records import save_check

    save_check(ws, _result("chk_alone"))
    assert count(ws.store, "checks") == 1
    with pytest.raises(RuntimeError):
        with ws.store.transaction():
            save_check(ws, _result("chk_joined"))
            assert count(ws.store, "checks") == 2
            raise RuntimeError("the caller's write failed after the check was saved")
    assert [r[0] for r in ws.store.fetchall("SELECT check_id FROM checks")] == ["chk_alone"]


def test_an_audit_article_is_all_or_nothing(ws: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.audit import runner
    from verify.audit.extract import Claim
    from verify.audit.inputs import Article

    claim = Claim(index=0, sentence="a claim", sentence_start=0, sentence_end=7,
                  claim_text="a claim", claim_start=0, claim_end=7, checkworthiness=0.9)
    article = Article(key="a.md", file_path="a.md", text="a claim")
    rows = [(runner.claim_report(claim, _result("chk_a")), _result("chk_a"))]
    runner._write_article(ws, "audit-x", article, 0, runner.DONE, "ok", rows)
    assert (count(ws.store, "checks"), count(ws.store, "audit_claims")) == (1, 1)

    def broken(*_: Any, **__: Any) -> str:
        raise OSError("disk full")

    rows = [(runner.claim_report(claim, _result("chk_b")), _result("chk_b"))]
    monkeypatch.setattr(runner, "_article_details", broken)   # fails after save_check
    with pytest.raises(OSError):
        runner._write_article(ws, "audit-y", article, 0, runner.DONE, "ok", rows)
    assert [r[0] for r in ws.store.fetchall("SELECT check_id FROM checks")] == ["chk_a"]
    assert count(ws.store, "audit_articles") == 1


def test_the_source_book_needs_only_a_store() -> None:
    from verify.config import Settings
    from verify.sources import SourceBook

    with Store.memory() as s:
        book = SourceBook(s, Settings(reliability_prior=0.4), seed=False)
        assert book.reliability("unrated.org").value == pytest.approx(0.4)
        book.rate("rated.org", 0.9, rationale="corrections policy", by="ana")
        assert book.reliability("rated.org").value == pytest.approx(0.9)
        assert count(s, "ratings") == 1


def test_the_source_book_still_accepts_a_workspace(ws: Any) -> None:
    from verify.sources import SourceBook

    book = SourceBook(ws, seed=False)
    assert book.store is ws.store and book.settings is ws.settings


def test_a_workspace_view_on_a_cursor_shares_sources_and_settings(ws: Any) -> None:
    book = ws.sources
    view = ws.view(store=ws.store.cursor())
    assert view.store is not ws.store and view.store.path == ws.path
    assert view.sources is book and view.settings is ws.settings
    assert ws.view().store is ws.store


def test_the_writer_lock_belongs_to_one_thread(tmp_path):
    """A second thread of the process waits for the writer lock (a server's ingest job and
    a search that would sync the index must not both write), and sees a writer at work."""
    import threading

    from verify.errors import WorkspaceLockedError
    from verify.store import writer_active, writer_lock

    seen: dict[str, object] = {}

    def other() -> None:
        seen["active"] = writer_active(tmp_path)
        try:
            with writer_lock(tmp_path, "a second task", wait_s=0.3):
                seen["took"] = True
        except WorkspaceLockedError as err:
            seen["error"] = str(err)

    with writer_lock(tmp_path, "an ingest") as took:
        assert took is True
        with writer_lock(tmp_path, "a nested step") as again:
            assert again is False          # re-entrant in the holding thread
        assert writer_active(tmp_path) is False   # not "another" writer for this thread
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen["active"] is True
    assert "took" not in seen and "another task of this process" in str(seen["error"])
    with writer_lock(tmp_path, "after") as took_after:
        assert took_after is True


def test_a_workspace_with_documents_from_before_issue_20_migrates(tmp_path):
    """A workspace written by an older version (documents and runs already there) opens
    and migrates: DuckDB cannot create an index in the transaction that updated the rows,
    so the identity index is a migration of its own."""
    import duckdb

    from verify.migrations import MIGRATIONS, applied, migrate
    from verify.store import Store

    path = tmp_path / "old-workspace"
    path.mkdir()
    con = duckdb.connect(str(path / "verify.duckdb"))
    con.execute("CREATE TABLE migrations (name VARCHAR PRIMARY KEY, "
                "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)")
    for name, sql in MIGRATIONS:
        if name.startswith("0008"):
            break
        con.execute(sql)
        con.execute("INSERT INTO migrations (name) VALUES (?)", [name])
    con.execute("INSERT INTO documents (origin_key, content_hash, text, char_count, url) "
                "VALUES ('a.md', 'h1', 'Some text.', 10, NULL), "
                "('b.md', 'h2', 'Other text.', 11, 'https://example.org/b')")
    con.execute("INSERT INTO ingest_runs (run_id, finished_at) VALUES ('r1', current_timestamp)")
    con.close()

    store = Store.open(path)
    try:
        assert "0011_documents_identity_index" in applied(store)
        rows = store.execute("SELECT origin_key, identity FROM documents ORDER BY 1").fetchall()
        assert rows[0][1].startswith("sha256:") and rows[1][1] == "url:https://example.org/b"
        assert store.execute("SELECT status FROM ingest_runs").fetchone()[0] == "done"
        assert migrate(store) == []
    finally:
        store.close()


def test_insert_rows_many_to_a_statement_in_chunks() -> None:
    store = Store.memory()
    store.execute("CREATE TABLE t (i INTEGER, s VARCHAR, x DOUBLE)")
    rows = [[i, f"row {i}", i / 2] for i in range(450)]
    store.insert_rows("INSERT INTO t (i, s, x)", rows, per_statement=200)
    assert store.fetchone("SELECT count(*), sum(i), max(s), sum(x) FROM t") == (
        450, sum(range(450)), "row 99", sum(range(450)) / 2)
    store.insert_rows("INSERT INTO t (i, s, x)", [])          # nothing to insert: no statement
    with pytest.raises(ValueError, match="same number of values"):
        store.insert_rows("INSERT INTO t (i, s, x)", [[1, "a", 1.0], [2, "b"]])
    assert store.fetchone("SELECT count(*) FROM t") == (450,)
