"""Escaping, span highlighting, badges and table rows for the desk.

Every piece of text that reaches ``unsafe_allow_html`` goes through :func:`esc`
first: documents, titles, claims and notes are untrusted.

Example:
    >>> highlight("a <b> c", [(2, 5)])
    '<span class="vf-text">a <mark>&lt;b&gt;</mark> c</span>'
    >>> verdict_badge("SUPPORTED", 0.91)  # doctest: +ELLIPSIS
    '<span class="vf-badge vf-verdict-supported"...>SUPPORTED · 91%</span>'
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Sequence
from typing import Any

from verify.urls import safe_url

# Characters that Streamlit's markdown (or its :color[...] / $math$ extensions)
# would interpret; inside our HTML we turn them into numeric entities.
_MD_ENTITIES = {c: f"&#{ord(c)};" for c in "[]()*_`$~:|!\\{}"}
_MD_SPECIALS = set("\\`*_{}[]()#+-.!|~:$<>")

VERDICT_CLASS = {
    "SUPPORTED": "vf-verdict-supported",
    "REFUTED": "vf-verdict-refuted",
    "CONFLICTING": "vf-verdict-conflicting",
    "NOT ENOUGH EVIDENCE": "vf-verdict-nei",
}
VERDICT_COLOUR = {
    "SUPPORTED": "#1b7f3b",
    "REFUTED": "#b42318",
    "CONFLICTING": "#b54708",
    "NOT ENOUGH EVIDENCE": "#475467",
}
STANCE_COLOUR = {"supports": "#1b7f3b", "refutes": "#b42318", "unrelated": "#98a2b3"}
STANCE_TITLE = {"supports": "Supporting", "refutes": "Refuting", "unrelated": "Related"}
BAND_COLOUR = {
    "high": "#1b7f3b",
    "mostly reliable": "#5a9e3a",
    "mixed": "#b54708",
    "low": "#d9480f",
    "very low": "#b42318",
}
ALIGNMENT_MARK = {
    "match": "✓ match",
    "mismatch": "✗ mismatch",
    "different_scope": "≠ different scope",
    "unaligned": "– no counterpart",
}

CSS = """
<style>
.vf-badge{display:inline-block;padding:.18rem .6rem;border-radius:999px;font-weight:600;
  font-size:.85rem;color:#fff;letter-spacing:.02em;white-space:nowrap}
.vf-verdict-supported{background:#1b7f3b}.vf-verdict-refuted{background:#b42318}
.vf-verdict-conflicting{background:#b54708}.vf-verdict-nei{background:#475467}
.vf-verdict-big{font-size:1.15rem;padding:.35rem .9rem}
.vf-rel{display:inline-block;padding:.05rem .45rem;border-radius:6px;font-size:.78rem;
  font-weight:600;border:1px solid currentColor;white-space:nowrap}
.vf-rel-high{color:#1b7f3b}.vf-rel-mid{color:#b54708}.vf-rel-low{color:#b42318}
.vf-rel-none{color:#667085}
.vf-stance{display:inline-block;padding:.05rem .45rem;border-radius:6px;font-size:.78rem;
  font-weight:600;color:#fff}
.vf-meta{color:#475467;font-size:.85rem}
.vf-meta a{color:#175cd3}
.vf-title{font-weight:600}
.vf-text{line-height:1.55}
.vf-text mark{background:#fdeb9c;padding:0 .1rem;border-radius:3px}
.vf-text mark.vf-claim-supported{background:#c7ecd3}
.vf-text mark.vf-claim-refuted{background:#f9d0cc}
.vf-text mark.vf-claim-conflicting{background:#fcdcb4}
.vf-text mark.vf-claim-nei{background:#e4e7ec}
.vf-card{border:1px solid rgba(49,51,63,.2);border-radius:.5rem;padding:1rem;
  margin-bottom:1rem}
.vf-card>div+div{margin-top:.5rem}
.vf-reason{font-size:1rem;margin-top:.4rem}
table.vf-align{border-collapse:collapse;margin:.5rem 0 .2rem 0;font-size:.88rem;width:100%}
table.vf-align th{text-align:left;color:#475467;font-weight:600;border-bottom:1px solid #d0d5dd;
  padding:.2rem .5rem}
table.vf-align td{border-bottom:1px solid #eaecf0;padding:.25rem .5rem;vertical-align:top}
.vf-al-match{color:#1b7f3b;font-weight:600}.vf-al-mismatch{color:#b42318;font-weight:600}
.vf-al-scope{color:#b54708;font-weight:600}.vf-al-none{color:#667085}
</style>
"""


def esc(text: object) -> str:
    """HTML-escape ``text`` and neutralise markdown syntax; newlines become ``<br>``."""
    raw = "" if text is None else str(text)
    out = "".join(_MD_ENTITIES.get(ch, html.escape(ch, quote=True)) for ch in raw)
    return out.replace("\r\n", "\n").replace("\n", "<br>")


def md_escape(text: object) -> str:
    """Backslash-escape markdown so untrusted text shows literally in labels."""
    raw = "" if text is None else str(text)
    raw = " ".join(raw.split())  # labels are one line
    return "".join("\\" + ch if ch in _MD_SPECIALS else ch for ch in raw)


def merge_spans(spans: Iterable[Sequence[Any]], length: int) -> list[tuple[int, int, str]]:
    """Clip, sort and de-overlap ``(start, end[, css_class])`` spans."""
    cleaned: list[tuple[int, int, str]] = []
    for span in spans:
        start, end = int(span[0]), int(span[1])
        cls = str(span[2]) if len(span) > 2 and span[2] else ""
        start, end = max(0, start), min(length, end)
        if end > start:
            cleaned.append((start, end, cls))
    cleaned.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, cls in cleaned:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            if cls == last[2]:
                merged[-1] = (last[0], max(last[1], end), cls)
            elif end > last[1]:
                merged.append((last[1], end, cls))
            continue
        merged.append((start, end, cls))
    return merged


def highlight(text: str, spans: Iterable[Sequence[Any]] = (), *,
              titles: dict[tuple[int, int], str] | None = None) -> str:
    """Escape ``text`` and wrap each span in ``<mark>`` (with an optional class)."""
    text = text or ""
    pieces: list[str] = []
    pos = 0
    for start, end, cls in merge_spans(spans, len(text)):
        pieces.append(esc(text[pos:start]))
        attrs = f' class="{html.escape(cls)}"' if cls else ""
        title = (titles or {}).get((start, end))
        if title:
            attrs += f' title="{esc(title)}"'
        pieces.append(f"<mark{attrs}>{esc(text[start:end])}</mark>")
        pos = end
    pieces.append(esc(text[pos:]))
    return f'<span class="vf-text">{"".join(pieces)}</span>'


def link(url: str | None, label: str | None = None) -> str:
    """An escaped ``<a>`` for http(s) URLs, or the escaped label alone."""
    target = safe_url(url)
    shown = esc(label or url or "")
    if not target:
        return shown
    return (f'<a href="{html.escape(target, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer nofollow">{shown}</a>')


def pct(value: float | None) -> str:
    """0.914 -> '91%'; None -> '–'."""
    return "–" if value is None else f"{round(float(value) * 100):d}%"


def fmt_date(value: dt.date | dt.datetime | str | None) -> str:
    """A date as ISO ``YYYY-MM-DD`` (datetimes to the minute), or 'undated'."""
    if value is None or value == "":
        return "undated"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def verdict_badge(verdict: str, confidence: float | None = None, *, big: bool = False) -> str:
    """A coloured pill: ``SUPPORTED · 91%``."""
    cls = VERDICT_CLASS.get(verdict, "vf-verdict-nei")
    text = esc(verdict) + (f" · {pct(confidence)}" if confidence is not None else "")
    size = " vf-verdict-big" if big else ""
    return f'<span class="vf-badge {cls}{size}" data-verdict="{esc(verdict)}">{text}</span>'


def reliability_class(value: float | None) -> str:
    """CSS class for a reliability in [0, 1]."""
    if value is None:
        return "vf-rel-none"
    if value >= 0.6:
        return "vf-rel-high"
    if value >= 0.4:
        return "vf-rel-mid"
    return "vf-rel-low"


def reliability_label(value: float | None) -> str:
    """Words for a reliability value (the library's bands: high … very low)."""
    if value is None:
        return "unrated"
    from verify.sources.scales import band

    return band(float(value))


def reliability_badge(value: float | None, explanation: str = "") -> str:
    """``reliability 0.82 · high`` coloured by band; explanation as tooltip."""
    shown = "–" if value is None else f"{float(value):.2f}"
    title = f' title="{esc(explanation)}"' if explanation else ""
    return (f'<span class="vf-rel {reliability_class(value)}"{title}>'
            f"reliability {shown} · {reliability_label(value)}</span>")


def stance_badge(stance: str) -> str:
    """A small coloured stance tag."""
    colour = STANCE_COLOUR.get(stance, "#98a2b3")
    return f'<span class="vf-stance" style="background:{colour}">{esc(stance)}</span>'


def evidence_header(ev: Any) -> str:
    """Title, source, reliability badge, date and link of one assessed passage."""
    p = ev.passage
    title = p.title or p.domain or f"document {p.document_id}"
    parts = [
        f'<span class="vf-title">{esc(title)}</span>',
        '<br><span class="vf-meta">',
        esc(p.domain or "unknown source"),
        " · ",
        esc(fmt_date(p.published_date)),
        " · ",
        link(p.url, "open source") if safe_url(p.url) else "no link",
        "</span><br>",
        stance_badge(ev.stance),
        " ",
        reliability_badge(ev.reliability, ev.reliability_explanation),
        f' <span class="vf-meta">relevance {ev.relevance:.2f} · weight {ev.weight:.2f}</span>',
    ]
    if ev.duplicate_of is not None:
        parts.append(f' <span class="vf-meta">· repeats passage {int(ev.duplicate_of)}</span>')
    if getattr(ev, "dissent", False):
        parts.append(' <span class="vf-stance" style="background:#6b7280">dissent</span>')
    if note := getattr(ev, "stance_note", ""):
        parts.append(f'<br><span class="vf-meta">why: {esc(note)}</span>')
    return "<div>" + "".join(parts) + "</div>"


def evidence_spans(ev: Any) -> list[tuple[int, int]]:
    """The claim-matching spans plus the evidence figures that were aligned."""
    spans = [(int(s), int(e)) for s, e in ev.spans]
    for al in ev.alignments:
        if al.evidence_span:
            spans.append((int(al.evidence_span[0]), int(al.evidence_span[1])))
    return spans


def evidence_text(ev: Any) -> str:
    """The passage text, escaped, with matching spans marked."""
    return "<div>" + highlight(ev.passage.text, evidence_spans(ev)) + "</div>"


def evidence_card(ev: Any) -> str:
    """One assessed passage as a bordered card: header, highlighted text, aligned figures."""
    return (f'<div class="vf-card" data-passage-id="{int(ev.passage.passage_id)}">'
            + evidence_header(ev) + evidence_text(ev) + alignment_table(ev.alignments)
            + "</div>")


def alignment_rows(alignments: Iterable[Any]) -> list[dict[str, str]]:
    """Rows of the claim-vs-evidence numbers table."""
    rows = []
    for al in alignments:
        rows.append({
            "claim figure": al.claim_text,
            "claim counts": al.claim_unit or "",
            "evidence figure": al.evidence_text or "–",
            "evidence counts": al.evidence_unit or "",
            "result": ALIGNMENT_MARK.get(al.status, al.status),
            "note": al.note or "",
        })
    return rows


ALIGNMENT_CLASS = {"match": "vf-al-match", "mismatch": "vf-al-mismatch",
                   "different_scope": "vf-al-scope", "unaligned": "vf-al-none"}


def alignment_table(alignments: Iterable[Any]) -> str:
    """Claim figures beside evidence figures, match/mismatch marked, as an escaped HTML table."""
    rows = alignment_rows(alignments)
    if not rows:
        return ""
    statuses = [al.status for al in alignments] if isinstance(alignments, Sequence) else []
    head = "".join(f"<th>{esc(c)}</th>" for c in ("claim", "evidence", "result"))
    body = []
    for i, row in enumerate(rows):
        cls = ALIGNMENT_CLASS.get(statuses[i] if i < len(statuses) else "", "")
        claim = esc(row["claim figure"]) + (
            f' <span class="vf-meta">{esc(row["claim counts"])}</span>' if row["claim counts"] else "")
        evid = esc(row["evidence figure"]) + (
            f' <span class="vf-meta">{esc(row["evidence counts"])}</span>'
            if row["evidence counts"] else "")
        note = f'<br><span class="vf-meta">{esc(row["note"])}</span>' if row["note"] else ""
        body.append(f'<tr><td>{claim}</td><td>{evid}</td>'
                    f'<td><span class="{cls}">{esc(row["result"])}</span>{note}</td></tr>')
    return (f'<div><table class="vf-align"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def agreement_rows(evidence: Iterable[Any]) -> list[dict[str, Any]]:
    """One row per evidence for the agreement chart: signed stance × reliability."""
    rows = []
    for ev in evidence:
        sign = {"supports": 1.0, "refutes": -1.0}.get(ev.stance, 0.0)
        strength = max(ev.p_supports, ev.p_refutes) if sign else ev.p_unrelated
        rows.append({
            "evidence": f"#{ev.rank} {ev.passage.domain or 'unknown'}",
            "stance": ev.stance,
            "dissent": bool(getattr(ev, "dissent", False)),
            "why": getattr(ev, "stance_note", ""),
            "reliability": round(float(ev.reliability), 3),
            "agreement": round(sign * float(ev.reliability) * float(strength), 3),
            "weight": round(float(ev.weight), 3),
            "p_supports": round(float(ev.p_supports), 3),
            "p_refutes": round(float(ev.p_refutes), 3),
            "title": ev.passage.title or "",
        })
    return rows


def verdict_class_for_claim(verdict: str) -> str:
    """CSS class for a claim highlighted in an audited article."""
    return {
        "SUPPORTED": "vf-claim-supported",
        "REFUTED": "vf-claim-refuted",
        "CONFLICTING": "vf-claim-conflicting",
    }.get(verdict, "vf-claim-nei")


def _cell(value: Any) -> Any:
    """A table cell: numbers and text stay, dates to ISO, the rest to short text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return fmt_date(value)
    if isinstance(value, list | tuple | set):
        return ", ".join(str(_cell(v)) for v in value)
    return str(value)


def to_rows(items: Iterable[Any], columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Dataclasses, dicts or named tuples to flat table rows (optionally only ``columns``)."""
    rows = []
    for item in items:
        if isinstance(item, dict):
            data = dict(item)
        elif hasattr(item, "__dataclass_fields__"):
            data = {name: getattr(item, name) for name in item.__dataclass_fields__}
        elif hasattr(item, "_asdict"):
            data = item._asdict()
        else:
            data = {"value": item}
        if columns:
            data = {c: data.get(c) for c in columns}
        rows.append({k: _cell(v) for k, v in data.items()})
    return rows
