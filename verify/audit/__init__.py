"""Audit articles: find check-worthy claims, verify each, write reports.

Example:
    from verify import Workspace
    ws = Workspace.open("demo")
    result = ws.audit(["article.md"], out="report.html")
    result.summary["claims_checked"]
    # -> 7
"""

from __future__ import annotations

from verify.audit.checkworthy import CheckworthyModel, load_checkworthy_model
from verify.audit.extract import Claim, Extraction, extract_claims, extract_claims_batch
from verify.audit.inputs import Article, read_articles
from verify.audit.models import (
    ArticleReport,
    AuditResult,
    ClaimReport,
    EarlierFactCheck,
    EvidenceSummary,
)
from verify.audit.reports import (
    check_claimreview_blocker,
    check_claimreview_items,
    claimreview_blocker,
    claimreview_items,
    render_check_claimreview,
    render_claimreview,
    render_csv,
    render_html,
    render_json,
    render_jsonl,
    render_markdown,
    write_reports,
)
from verify.audit.runner import derive_audit_id, list_audits, load_audit, run_audit

__all__ = [
    "Article",
    "list_audits",
    "ArticleReport",
    "AuditResult",
    "CheckworthyModel",
    "Claim",
    "ClaimReport",
    "EarlierFactCheck",
    "EvidenceSummary",
    "Extraction",
    "check_claimreview_blocker",
    "check_claimreview_items",
    "claimreview_blocker",
    "claimreview_items",
    "derive_audit_id",
    "extract_claims",
    "extract_claims_batch",
    "load_audit",
    "load_checkworthy_model",
    "read_articles",
    "render_check_claimreview",
    "render_claimreview",
    "render_csv",
    "render_html",
    "render_json",
    "render_jsonl",
    "render_markdown",
    "run_audit",
    "write_reports",
]
