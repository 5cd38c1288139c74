"""Audit reports: JSON, JSONL, CSV, Markdown, a self-contained HTML page, and
schema.org ClaimReview JSON-LD for claims a person has confirmed.

Every format carries, per claim, the earlier fact-checks the archive matched
(organisation, rating, date, URL and match score; docs/archive.md).

All text that comes from articles or sources is escaped (HTML) or neutralised
(CSV formulas); links are emitted only for http(s) URLs.

Example:
    from verify.audit import load_audit, write_reports
    write_reports(load_audit(ws, "audit-1a2b3c"), ["report.html"])
    # -> ['report.html']
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verify.audit.models import (
    VERDICT_WORDS,
    ArticleReport,
    AuditResult,
    ClaimReport,
    EarlierFactCheck,
    EvidenceSummary,
)
from verify.csvsafe import safe_writer
from verify.errors import InputError
from verify.urls import safe_url

if TYPE_CHECKING:
    from verify.history import Review
    from verify.types import CheckResult

FORMATS = ("json", "jsonl", "csv", "md", "html")
_EXT = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".md": "md",
        ".markdown": "md", ".html": "html", ".htm": "html", ".jsonld": "claimreview"}

# ClaimReview rating scale (documented in the card/README): worst 1 .. best 4.
RATING_SCALE = {
    "REFUTED": (1, "False"),
    "NOT ENOUGH EVIDENCE": (2, "Unproven"),
    "CONFLICTING": (3, "Mixed"),
    "SUPPORTED": (4, "True"),
}
WORST_RATING, BEST_RATING = 1, 4


def _esc(value: Any) -> str:
    """HTML-escape anything (None -> empty)."""
    return html.escape("" if value is None else str(value), quote=True)


# ---- JSON / JSONL ----------------------------------------------------------------
def render_json(result: AuditResult) -> str:
    """The whole audit as one JSON document."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"


def render_jsonl(result: AuditResult) -> str:
    """One JSON object per article (with its claims and summary), one per line."""
    lines = []
    for article in result.articles:
        data = {"audit_id": result.audit_id, **article.to_dict(include_text=False)}
        lines.append(json.dumps(data, ensure_ascii=False, default=str))
    return "\n".join(lines) + ("\n" if lines else "")


# ---- CSV -----------------------------------------------------------------------------
CSV_COLUMNS = (
    "audit_id", "article_key", "title", "url", "article_status", "article_message",
    "claim_index", "sentence_start", "sentence_end", "sentence", "claim_text", "figure",
    "checkworthiness", "verdict", "confidence", "reason", "reviewed_verdict",
    "support_source", "support_url", "support_reliability", "support_text",
    "refute_source", "refute_url", "refute_reliability", "refute_text", "check_id", "error",
    "earlier_organisation", "earlier_rating", "earlier_date", "earlier_url", "earlier_score",
    "earlier_fact_checks", "outlet", "published_date")


def _earlier_cols(items: Sequence[EarlierFactCheck]) -> list[Any]:
    """The best earlier fact-check in its own columns, then every one on one line."""
    if not items:
        return ["", "", "", "", "", ""]
    best = items[0]
    every = " | ".join(
        f"{e.organisation or 'unknown'}: {e.rating or 'no rating'} ({e.review_date or 'undated'}) "
        f"{e.url or ''} [score {e.score:.2f}]".replace("  ", " ") for e in items)
    return [best.organisation, best.rating, best.review_date, best.url, f"{best.score:.2f}", every]


def _ev_cols(ev: EvidenceSummary | None) -> list[Any]:
    if ev is None:
        return ["", "", "", ""]
    return [ev.source, ev.url, ev.reliability, ev.matching_text or ev.passage_text]


def render_csv(result: AuditResult) -> str:
    """One row per claim; articles without claims get one row with their status."""
    buf = io.StringIO()
    writer = safe_writer(buf)
    writer.writerow(CSV_COLUMNS)
    for a in result.articles:
        base = [result.audit_id, a.key, a.title, a.url, a.status, a.message]
        tail = [a.outlet, a.published_date]
        if not a.claims:
            writer.writerow(base + [""] * (len(CSV_COLUMNS) - len(base) - len(tail)) + tail)
            continue
        for c in a.claims:
            row = base + [c.index, c.sentence_start, c.sentence_end, c.sentence, c.claim_text,
                          c.figure, c.checkworthiness, c.verdict, c.confidence, c.reason,
                          c.reviewed_verdict, *_ev_cols(c.best_support), *_ev_cols(c.best_refute),
                          c.check_id, c.error, *_earlier_cols(c.earlier_fact_checks), *tail]
            writer.writerow(row)
    return buf.getvalue()


# ---- Markdown ------------------------------------------------------------------------
def _md(text: Any) -> str:
    """Flatten; HTML-escape ``& < >`` and backslash-escape Markdown markup characters."""
    value = " ".join(str("" if text is None else text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in ("\\", "|", "*", "_", "`", "[", "]", "#"):
        value = value.replace(ch, "\\" + ch)
    return value


def _md_evidence(label: str, ev: EvidenceSummary | None) -> str:
    if ev is None:
        return f"  - {label}: none found"
    where = _md(ev.title or ev.source or "passage")
    link = safe_url(ev.url)
    src = f"[{where}]({link.replace(')', '%29')})" if link else where
    quote = _md(ev.matching_text or ev.passage_text[:300])
    return (f"  - {label}: {src} ({_md(ev.source)}, reliability {ev.reliability:.2f}, "
            f"p={ev.probability:.2f}): \u201c{quote}\u201d")


def _md_earlier(e: EarlierFactCheck) -> str:
    """One earlier fact-check as a Markdown list item."""
    who = _md(e.organisation or "unknown organisation")
    link = safe_url(e.url)
    if link:
        who = f"[{who}]({link.replace(')', '%29')})"
    rating = _md(e.rating) if e.rating else "no rating"
    return (f"  - checked before: {who} rated it **{rating}** "
            f"({_md(e.review_date or 'undated')}; match score {e.score:.2f}): "
            f"\u201c{_md(e.claim)}\u201d")


def render_markdown(result: AuditResult) -> str:
    """A readable report: totals, then each article with its claims and evidence."""
    s = result.summary
    out = [f"# Audit {result.audit_id}", "",
           f"{s['articles']} articles; {s['claims_checked']} claims checked: "
           f"{s['supported']} supported, {s['refuted']} refuted, {s['conflicting']} conflicting, "
           f"{s['unverifiable']} unverifiable.", ""]
    for a in result.articles:
        out += [f"## {_md(a.title or Path(a.file_path).name)}", "",
                f"- file: `{a.key.replace('`', '')}`", f"- status: **{a.status}**"
                + (f": {_md(a.message)}" if a.message else "")]
        if a.url:
            out.append(f"- url: {_md(a.url)}")
        if a.outlet:
            out.append(f"- outlet: {_md(a.outlet)}")
        if a.author:
            out.append(f"- author: {_md(a.author)}")
        if a.published_date:
            out.append(f"- published: {_md(a.published_date)}")
        summ = a.summary
        if a.claims:
            out += [f"- claims checked: {summ['claims_checked']} (supported {summ['supported']}, "
                    f"refuted {summ['refuted']}, conflicting {summ['conflicting']}, "
                    f"unverifiable {summ['unverifiable']})", ""]
            out += ["| # | claim | check-worthiness | verdict | confidence |", "|---|---|---|---|---|"]
            for c in a.claims:
                verdict = c.verdict or f"error: {c.error}"
                if c.reviewed_verdict:
                    verdict += f" (reviewed: {c.reviewed_verdict})"
                conf = f"{c.confidence:.2f}" if c.confidence is not None else ""
                out.append(f"| {c.index} | {_md(c.claim_text)} | {c.checkworthiness:.2f} | "
                           f"{_md(verdict)} | {conf} |")
            out.append("")
            for c in a.claims:
                out += [f"**Claim {c.index}** (chars {c.sentence_start}\u2013{c.sentence_end}): "
                        f"{_md(c.claim_text)}", ""]
                if c.claim_text != c.sentence:
                    out.append(f"  - sentence: {_md(c.sentence)}")
                if c.reason:
                    out.append(f"  - reason: {_md(c.reason)}")
                out += [_md_earlier(e) for e in c.earlier_fact_checks]
                out.append(_md_evidence("best support", c.best_support))
                out.append(_md_evidence("best refutation", c.best_refute))
                out.append("")
        else:
            out.append("")
    return "\n".join(out) + "\n"


# ---- HTML --------------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1d1d1f;line-height:1.55}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2.5rem;border-top:1px solid #ddd;padding-top:1rem}
.article{white-space:pre-wrap;background:#fafafa;border:1px solid #e3e3e3;padding:1rem;border-radius:6px}
details.claim{display:inline}details.claim:not([open])::details-content{display:none}
details.claim[open]::details-content{display:block}details.claim>summary{display:inline;cursor:pointer;list-style:none;
border-radius:3px;padding:0 .1rem}details.claim>summary::-webkit-details-marker{display:none}
.v-supported>summary{background:#d6f5dd;border-bottom:2px solid #1e8e3e}
.v-refuted>summary{background:#fbd9d6;border-bottom:2px solid #c5221f}
.v-conflicting>summary{background:#fde9c4;border-bottom:2px solid #e37400}
.v-not-enough-evidence>summary{background:#e8eaed;border-bottom:2px dashed #5f6368}
.v-error>summary{background:#ead6f5;border-bottom:2px dotted #7b1fa2}
.card{display:block;white-space:normal;background:#fff;border:1px solid #ccc;border-radius:6px;
margin:.4rem 0 .8rem;padding:.6rem .8rem;font-size:.92rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:.05rem .4rem;border-radius:3px;
color:#fff}.b-supported{background:#1e8e3e}.b-refuted{background:#c5221f}.b-conflicting{background:#e37400}
.b-not-enough-evidence{background:#5f6368}.b-error{background:#7b1fa2}
mark{background:#fff3a3}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;
padding:.2rem .5rem;text-align:left;font-size:.9rem}.muted{color:#666;font-size:.85rem}
.legend span{margin-right:.8rem}
"""


def _slug(verdict: str | None) -> str:
    return (verdict or "error").lower().replace(" ", "-")


def _html_passage(ev: EvidenceSummary) -> str:
    """The passage with its matching span marked (all parts escaped)."""
    text = ev.passage_text
    if ev.span:
        a, b = ev.span
        return f"{_esc(text[:a])}<mark>{_esc(text[a:b])}</mark>{_esc(text[b:])}"
    return _esc(text)


def _html_evidence(label: str, ev: EvidenceSummary | None) -> str:
    if ev is None:
        return f"<div><b>{_esc(label)}:</b> <span class='muted'>none found</span></div>"
    title = _esc(ev.title or ev.source or "passage")
    link = safe_url(ev.url)
    head = f"<a href=\"{_esc(link)}\" rel=\"noopener noreferrer\">{title}</a>" if link else title
    note = f"<div class='muted'>{_esc(ev.numeric_note)}</div>" if ev.numeric_note else ""
    return (f"<div><b>{_esc(label)}:</b> {head} <span class='muted'>({_esc(ev.source)}, "
            f"reliability {ev.reliability:.2f}, p={ev.probability:.2f}"
            f"{', ' + _esc(ev.published_date) if ev.published_date else ''})</span>"
            f"<blockquote>{_html_passage(ev)}</blockquote>{note}</div>")


def _html_earlier(items: Sequence[EarlierFactCheck]) -> str:
    """The earlier fact-checks of a claim: organisation (linked), rating, date and score."""
    if not items:
        return ""
    rows = []
    for e in items:
        link = safe_url(e.url)
        who = _esc(e.organisation or "unknown organisation")
        if link:
            who = f"<a href=\"{_esc(link)}\" rel=\"noopener noreferrer\">{who}</a>"
        rows.append(f"<li class='earlier'>{who}: <b>{_esc(e.rating or 'no rating')}</b> "
                    f"<span class='muted'>({_esc(e.review_date or 'undated')}; match score "
                    f"{e.score:.2f})</span><div class='muted'>{_esc(e.claim)}</div></li>")
    return f"<div><b>Checked before:</b><ul>{''.join(rows)}</ul></div>"


def _html_claim_card(c: ClaimReport) -> str:
    verdict = c.verdict or "error"
    conf = f" {c.confidence:.0%}" if c.confidence is not None else ""
    reviewed = (f" <span class='muted'>reviewed by {_esc(c.reviewer)}: "
                f"{_esc(c.reviewed_verdict)}</span>") if c.reviewed_verdict else ""
    rewrites = ""
    if c.rewrites:
        rewrites = "<div class='muted'>resolved: " + ", ".join(
            f"{_esc(o)} \u2192 {_esc(r)}" for o, r in c.rewrites) + "</div>"
    body = (f"<span class='badge b-{_slug(c.verdict)}'>{_esc(verdict)}{_esc(conf)}</span>{reviewed}"
            f"<div><b>Claim {c.index}:</b> {_esc(c.claim_text)}</div>{rewrites}"
            f"<div class='muted'>check-worthiness {c.checkworthiness:.2f}; chars "
            f"{c.sentence_start}\u2013{c.sentence_end}"
            f"{'; check ' + _esc(c.check_id) if c.check_id else ''}</div>")
    if c.error:
        body += f"<div>error: {_esc(c.error)}</div>"
    if c.reason:
        body += f"<div>{_esc(c.reason)}</div>"
    body += _html_earlier(c.earlier_fact_checks)
    body += _html_evidence("Best support", c.best_support)
    body += _html_evidence("Best refutation", c.best_refute)
    return f"<span class='card'>{body}</span>"


_SEVERITY = {"REFUTED": 0, "CONFLICTING": 1, None: 2, "NOT ENOUGH EVIDENCE": 3, "SUPPORTED": 4}


def _html_article_text(a: ArticleReport) -> str:
    """The article text with each claimed sentence highlighted and expandable."""
    by_sentence: dict[tuple[int, int], list[ClaimReport]] = {}
    for c in a.claims:
        by_sentence.setdefault((c.sentence_start, c.sentence_end), []).append(c)
    parts: list[str] = []
    cursor = 0
    text = a.text
    for (start, end), claims in sorted(by_sentence.items()):
        if start < cursor or end > len(text):
            continue
        worst = min(claims, key=lambda c: _SEVERITY.get(c.verdict, 2)).verdict
        parts.append(_esc(text[cursor:start]))
        cards = "".join(_html_claim_card(c) for c in claims)
        parts.append(f"<details class='claim v-{_slug(worst)}' id='{_esc(a.key)}-{start}'>"
                     f"<summary title='{_esc(worst or 'error')}'>{_esc(text[start:end])}</summary>"
                     f"{cards}</details>")
        cursor = end
    parts.append(_esc(text[cursor:]))
    return "".join(parts)


def render_html(result: AuditResult) -> str:
    """A self-contained HTML report (inline CSS, no scripts, no external assets)."""
    s = result.summary
    rows = "".join(
        f"<tr><td>{_esc(a.title or Path(a.file_path).name)}</td><td>{_esc(a.status)}</td>"
        f"<td>{a.summary['claims_checked']}</td><td>{a.summary['supported']}</td>"
        f"<td>{a.summary['refuted']}</td><td>{a.summary['conflicting']}</td>"
        f"<td>{a.summary['unverifiable']}</td><td>{_esc(a.message)}</td></tr>"
        for a in result.articles)
    legend = "".join(f"<span><span class='badge b-{_slug(v)}'>{_esc(v)}</span></span>"
                     for v in VERDICT_WORDS)
    sections = []
    for a in result.articles:
        title = _esc(a.title or Path(a.file_path).name)
        link = safe_url(a.url)
        meta = [f"file {_esc(a.key)}", f"status <b>{_esc(a.status)}</b>"]
        if link:
            meta.append(f"<a href=\"{_esc(link)}\" rel=\"noopener noreferrer\">{_esc(a.url)}</a>")
        if a.outlet:
            meta.append(_esc(a.outlet))
        if a.author:
            meta.append(f"by {_esc(a.author)}")
        if a.published_date:
            meta.append(_esc(a.published_date))
        summ = a.summary
        body = (f"<p class='muted'>{' · '.join(meta)}</p>"
                + (f"<p>{_esc(a.message)}</p>" if a.message else "")
                + (f"<p>{summ['claims_checked']} claims checked: {summ['supported']} supported, "
                   f"{summ['refuted']} refuted, {summ['conflicting']} conflicting, "
                   f"{summ['unverifiable']} unverifiable. Click a highlighted sentence for its "
                   f"evidence.</p>" if a.claims else ""))
        if a.text:
            body += f"<div class='article'>{_html_article_text(a)}</div>"
        sections.append(f"<section><h2>{title}</h2>{body}</section>")
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        f"<title>Audit {_esc(result.audit_id)}</title><style>{_CSS}</style></head><body>"
        f"<h1>Audit {_esc(result.audit_id)}</h1>"
        f"<p>{s['articles']} articles; {s['claims_checked']} claims checked: {s['supported']} "
        f"supported, {s['refuted']} refuted, {s['conflicting']} conflicting, "
        f"{s['unverifiable']} unverifiable. <span class='muted'>Generated {generated}.</span></p>"
        f"<p class='legend'>{legend}</p>"
        "<table><tr><th>article</th><th>status</th><th>checked</th><th>supported</th>"
        f"<th>refuted</th><th>conflicting</th><th>unverifiable</th><th>note</th></tr>{rows}</table>"
        f"{''.join(sections)}</body></html>\n")


# ---- ClaimReview ----------------------------------------------------------------------------
def _claim_review(check_id: str, claim_text: str, verdict: str, reviewed_on: str,
                  claim: dict[str, Any], *, reviewer_org: str, report_url: str | None,
                  reviewer_org_url: str | None) -> dict[str, Any]:
    """One schema.org ClaimReview of a reviewed check, rated with ``RATING_SCALE``."""
    value, words = RATING_SCALE.get(verdict.upper(), (2, verdict))
    author: dict[str, Any] = {"@type": "Organization", "name": reviewer_org}
    if reviewer_org_url:
        author["url"] = reviewer_org_url
    url = f"{report_url}#claim-{check_id}" if report_url else f"urn:verify:check:{check_id}"
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim_text,
        "datePublished": reviewed_on,
        "author": author,
        "reviewRating": {"@type": "Rating", "ratingValue": value, "bestRating": BEST_RATING,
                         "worstRating": WORST_RATING, "alternateName": words},
        "itemReviewed": claim,
    }


def claimreview_items(result: AuditResult, *, reviewer_org: str = "verify",
                      report_url: str | None = None,
                      reviewer_org_url: str | None = None) -> list[dict[str, Any]]:
    """schema.org ClaimReview objects for every claim a person has confirmed."""
    items: list[dict[str, Any]] = []
    for a, c in result.claims():
        if not c.reviewed_verdict or not c.check_id:
            continue
        reviewed_on = (c.reviewed_at or dt.date.today().isoformat())[:10]
        claim: dict[str, Any] = {"@type": "Claim"}
        if a.author:
            claim["author"] = {"@type": "Person" if " " in a.author else "Organization",
                               "name": a.author}
        if a.published_date:
            claim["datePublished"] = a.published_date[:10]
        appearance: dict[str, Any] = {"@type": "CreativeWork"}
        if safe_url(a.url):
            appearance["url"] = a.url
        if a.title:
            appearance["headline"] = a.title
        if a.outlet:
            appearance["publisher"] = {"@type": "Organization", "name": a.outlet}
        if len(appearance) > 1:
            claim["appearance"] = [appearance]
            claim["firstAppearance"] = appearance
        item = _claim_review(c.check_id, c.claim_text, c.reviewed_verdict, reviewed_on, claim,
                             reviewer_org=reviewer_org, report_url=report_url,
                             reviewer_org_url=reviewer_org_url)
        if c.earlier_fact_checks:
            item["citation"] = [_claimreview_earlier(e) for e in c.earlier_fact_checks]
        items.append(item)
    return items


def _claimreview_earlier(e: EarlierFactCheck) -> dict[str, Any]:
    """An earlier fact-check as a cited ClaimReview (the match score in its description)."""
    cited: dict[str, Any] = {"@type": "ClaimReview", "claimReviewed": e.claim,
                             "description": f"earlier fact-check matched by verify "
                                            f"(match score {e.score:.2f})"}
    if safe_url(e.url):
        cited["url"] = e.url
    if e.organisation:
        cited["author"] = {"@type": "Organization", "name": e.organisation}
    if e.review_date:
        cited["datePublished"] = e.review_date[:10]
    if e.rating:
        cited["reviewRating"] = {"@type": "Rating", "alternateName": e.rating}
    return cited


def claimreview_blocker(result: AuditResult) -> str | None:
    """Why the ClaimReview export of ``result`` would be empty (``None`` when it is not):
    it lists only claims a person has reviewed."""
    checked = [c for _, c in result.claims() if c.check_id]
    if not checked:
        return ("ClaimReview lists claims a person has reviewed; this audit checked no claim, "
                "so there is nothing to review.")
    if any(c.reviewed_verdict for c in checked):
        return None
    n = len(checked)
    return (f"ClaimReview lists only claims a person has reviewed, and none of the {n} "
            f"checked claim{'s' if n != 1 else ''} is reviewed yet: review a claim to export it.")


def _latest_review(check_id: str, reviews: Sequence[Review]) -> Review | None:
    """The newest of ``reviews`` that is of ``check_id`` (None when none is)."""
    own = [r for r in reviews if r.check_id == check_id]
    if not own:
        return None
    dated = [r for r in own if r.created_at is not None]
    return max(dated, key=lambda r: r.created_at) if dated else own[0]  # type: ignore[arg-type,return-value]


def check_claimreview_blocker(result: CheckResult, reviews: Sequence[Review]) -> str | None:
    """Why a ClaimReview of one check (the desk's Check page) would be empty, or ``None``:
    like :func:`claimreview_blocker`, only a check a person has reviewed is exported.

    Example:
        check_claimreview_blocker(ws.check("IS-K killed 338 civilians"), [])
        # -> 'ClaimReview lists only claims a person has reviewed, and this check is not ...'
    """
    if not result.check_id:
        return ("ClaimReview lists only claims a person has reviewed; this check was not "
                "saved, so it cannot be reviewed.")
    if _latest_review(result.check_id, reviews) is None:
        return ("ClaimReview lists only claims a person has reviewed, and this check is not "
                "reviewed yet: review its verdict to export it.")
    return None


def check_claimreview_items(result: CheckResult, reviews: Sequence[Review], *,
                            reviewer_org: str = "verify", report_url: str | None = None,
                            reviewer_org_url: str | None = None) -> list[dict[str, Any]]:
    """The schema.org ClaimReview of one check, rated as its latest review says (``[]``
    while nothing is reviewed: :func:`check_claimreview_blocker` says why).

    Example:
        check_claimreview_items(result, ws.reviews([result.check_id])[result.check_id])
        # -> [{'@type': 'ClaimReview', 'claimReviewed': 'IS-K killed ...', ...}]
    """
    review = _latest_review(result.check_id, reviews) if result.check_id else None
    if review is None:
        return []
    reviewed_on = (review.created_at or dt.datetime.now(dt.timezone.utc)).date().isoformat()
    return [_claim_review(result.check_id, result.claim, review.verdict, reviewed_on,
                          {"@type": "Claim"}, reviewer_org=reviewer_org, report_url=report_url,
                          reviewer_org_url=reviewer_org_url)]


def render_check_claimreview(result: CheckResult, reviews: Sequence[Review],
                             **options: Any) -> str:
    """One check's ClaimReview as a JSON-LD array (:func:`check_claimreview_items`)."""
    return json.dumps(check_claimreview_items(result, reviews, **options), indent=2,
                      ensure_ascii=False) + "\n"


def render_claimreview(result: AuditResult, **options: Any) -> str:
    """The ClaimReview objects as a JSON-LD array."""
    return json.dumps(claimreview_items(result, **options), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"json": render_json, "jsonl": render_jsonl, "csv": render_csv, "md": render_markdown,
             "html": render_html}


def format_for(path: str | os.PathLike[str]) -> str:
    """The report format named by a file's extension."""
    fmt = _EXT.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"cannot tell the report format of {path}: use one of "
                         ".json .jsonl .csv .md .html (or .jsonld for ClaimReview)")
    return fmt


def write_reports(result: AuditResult, outputs: Sequence[str | os.PathLike[str]], *,
                  formats: Sequence[str] | None = None,
                  claimreview: str | os.PathLike[str] | None = None,
                  reviewer_org: str = "verify", report_url: str | None = None) -> list[str]:
    """Write the report in each format (from the extension, or ``formats`` in order)."""
    written: list[str] = []
    if formats and len(formats) != len(outputs):
        raise InputError("give one format per output path")
    for i, target in enumerate(outputs):
        fmt = formats[i] if formats else format_for(target)
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "claimreview":
            text = render_claimreview(result, reviewer_org=reviewer_org, report_url=report_url)
        elif fmt in RENDERERS:
            text = RENDERERS[fmt](result)
        else:
            raise InputError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
        path.write_text(text, encoding="utf-8", newline="" if fmt == "csv" else None)
        written.append(str(path))
    if claimreview is not None:
        path = Path(claimreview)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_claimreview(result, reviewer_org=reviewer_org, report_url=report_url),
                        encoding="utf-8")
        written.append(str(path))
    return written
