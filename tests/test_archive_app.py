"""The desk's Archive page, driven with streamlit's AppTest on a fake-model workspace:
stats, browse/search, match a tweet, import a file (and a second import adds nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from verify import Workspace  # noqa: E402
from verify.config import Settings  # noqa: E402

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "archive.py")
WS_KEY = "_vf_workspace"   # verify.ui.desk's session key for the open workspace
CSV = ("claim,rating,organisation,date,url\n"
       '"5G towers spread the coronavirus",False,Checker One,2020-03-25,https://one.example/5g\n'
       '"Drinking hot water cures the flu",Mostly false,Checker Two,2020-02-01,\n'
       ',True,Nobody,2020-01-01,\n')


def table_with(at: AppTest, column: str):
    """The first dataframe on the page that has ``column`` (AppTest keeps no table keys)."""
    for df in at.dataframe:
        if column in df.value.columns:
            return df.value
    raise AssertionError(f"no table with a {column!r} column")


@pytest.fixture
def page(fake_settings: Settings):
    ws = Workspace.in_memory(fake_settings)
    ws.import_fact_checks(text=CSV, name="desk.csv")
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[WS_KEY] = ws
    at.run()
    assert not at.exception, at.exception
    yield at, ws
    ws.close()


def test_stats_and_browse_search(page) -> None:
    at, _ = page
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Fact-checks"] == "2" and metrics["Organisations"] == "2"
    table = table_with(at, "claimant")
    assert set(table["claim reviewed"]) == {"5G towers spread the coronavirus",
                                            "Drinking hot water cures the flu"}
    at.text_input(key="archive_q").input("hot water")
    at.run()
    table = table_with(at, "claimant")
    assert list(table["claim reviewed"]) == ["Drinking hot water cures the flu"]
    assert list(table["verdict"]) == ["REFUTED"]


def test_match_a_tweet_lists_the_earlier_fact_check_first(page) -> None:
    at, _ = page
    at.text_area(key="archive_claim").input(
        "#5GTowers spread the #coronavirus!! https://t.co/x 📡 — Some One (@someone) March 20, 2020")
    at.button(key="archive_match").click()
    at.run()
    assert not at.exception, at.exception
    table = table_with(at, "why")
    assert table["claim reviewed"].iloc[0] == "5G towers spread the coronavirus"
    assert table["link"].iloc[0] == "https://one.example/5g"


def test_import_reports_problems_and_a_second_import_adds_nothing(page) -> None:
    at, ws = page
    feed = json.dumps({"@type": "ClaimReview", "claimReviewed": "The moon is made of cheese",
                       "url": "https://three.example/moon",
                       "reviewRating": {"alternateName": "Pants on Fire"},
                       "author": {"name": "Checker Three"}})
    for expected in ("1 added, 0 already", "0 added, 1 already"):
        at.file_uploader(key="archive_file").set_value(("feed.json", feed.encode(), "application/json"))
        at.run()
        at.button(key="archive_import").click()
        at.run()
        assert not at.exception, at.exception
        flashed = " ".join(str(s.value) for s in at.success)
        assert f"read 1 fact-checks from feed.json: {expected} in the archive" in flashed, flashed
    assert ws.store.execute("SELECT count(*) FROM fact_checks").fetchone()[0] == 3
