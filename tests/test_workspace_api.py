"""The workspace facade's typed public methods the desk uses instead of module internals."""

from __future__ import annotations

from tests.test_index import TEXTS, add_document
from verify import Workspace
from verify.index.base import IndexStatus
from verify.types import CheckResult


def test_checks_reviews_heads_and_audits_through_the_workspace(ws: Workspace) -> None:
    add_document(ws, "a", TEXTS)
    status = ws.sync_index()
    assert isinstance(status, IndexStatus) and status.in_sync
    assert ws.list_checks() == [] and ws.reviewed_checks() == 0
    result = ws.check("IS-K killed 338 civilians in Pakistan since 2017")
    assert isinstance(result, CheckResult)
    rows = ws.list_checks(limit=5)
    assert [r["check_id"] for r in rows] == [result.check_id]
    assert ws.list_checks("Jalalabad") == []
    again = ws.load_check(result.check_id)
    assert (again.check_id, again.verdict, again.claim) == (result.check_id, result.verdict,
                                                            result.claim)
    ws.review(result.check_id, "SUPPORTED", "desk")
    assert ws.reviewed_checks() == 1
    assert ws.list_checks()[0]["reviewed_verdict"] == "SUPPORTED"
    assert ws.learned_heads() == []
    assert ws.list_audits() == []
