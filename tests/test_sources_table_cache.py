"""The effective-reliability table is computed once per process for a workspace file and its
ratings, and computed again as soon as a rating, a set or an alias changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from verify.sources import book as book_module
from verify.sources.book import SourceBook
from verify.store import Store


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the effective table was computed from the ratings."""
    calls: list[int] = []
    original = book_module._EFFECTIVE_SQL

    def fetchall(self: Store, sql: str, parameters: object = None) -> list[tuple[Any, ...]]:
        if sql is original:
            calls.append(1)
        return real_fetchall(self, sql, parameters)

    real_fetchall = Store.fetchall
    monkeypatch.setattr(Store, "fetchall", fetchall)
    monkeypatch.setattr(book_module, "_table_cache", book_module._TableCache())
    return calls


def _book(folder: Path) -> SourceBook:
    return SourceBook(Store.open(folder), seed=False)


def test_a_workspace_opened_again_reuses_the_table_until_its_ratings_change(
        tmp_path: Path, counted: list[int]) -> None:
    first = _book(tmp_path)
    first.rate("meridianwire.com", 0.9, rationale="wire", by="ana")
    assert first.reliability("meridianwire.com").value == pytest.approx(0.9)
    assert len(counted) == 1
    first.store.close()

    again = _book(tmp_path)  # the desk opens the workspace on every page run
    assert again.reliability("meridianwire.com").value == pytest.approx(0.9)
    assert len(counted) == 1, "reopened workspace recomputed an unchanged table"

    again.rate("meridianwire.com", 0.4, rationale="two corrections", by="ana")
    assert again.reliability("meridianwire.com").value < 0.9  # the writer's own refresh
    again.store.close()
    third = _book(tmp_path)
    assert third.reliability("meridianwire.com").value < 0.9
    third.add_alias("meridianwire.com", "meridian-wire.net")
    third.store.close()
    fourth = _book(tmp_path)
    assert fourth.reliability("meridian-wire.net").applied_key == "meridianwire.com"
    fourth.store.close()


def test_an_in_memory_store_is_never_cached(counted: list[int]) -> None:
    for _ in range(2):
        book = SourceBook(Store.memory(), seed=False)
        book.rate("example-news.com", 0.8, rationale="x", by="ana")
        assert book.reliability("example-news.com").value == pytest.approx(0.8)
    assert len(book_module._table_cache._tables) == 0
