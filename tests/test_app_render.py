"""The desk's presentation helpers: escaping, span highlighting, badges, table rows."""

from __future__ import annotations

import datetime as dt
import html

from verify.types import EvidenceAssessment, PassageRef, QuantityAlignment
from verify.ui import render

XSS = '<script>alert(1)</script> and <img src=x onerror=alert(1)>'


def _passage(text: str, **kw) -> PassageRef:
    base = dict(passage_id=7, document_id=3, passage_order=0, text=text, char_start=0,
                char_end=len(text), title="A <b>title</b>", url="https://example.org/a?b=1&c=2",
                domain="example.org", published_date=dt.date(2020, 8, 3), language="en")
    base.update(kw)
    return PassageRef(**base)


def _evidence(text: str, stance: str = "supports", **kw) -> EvidenceAssessment:
    base = dict(passage=_passage(text), rank=1, stance=stance, p_supports=0.8, p_refutes=0.1,
                p_unrelated=0.1, model_stance=stance, reliability=0.75,
                reliability_explanation="rated 0.75 by <desk>", relevance=0.9, weight=0.6,
                dense_score=0.7, lexical_score=3.2, fused_score=0.03, duplicate_of=None)
    base.update(kw)
    return EvidenceAssessment(**base)


def test_untrusted_markup_is_escaped_not_rendered() -> None:
    out = render.highlight(XSS, [(0, 8)])
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&lt;img src=x onerror=alert&#40;1&#41;&gt;" in out
    # the visible text is unchanged once the browser decodes the entities
    visible = html.unescape(out.replace("<mark>", "").replace("</mark>", "")
                            .replace('<span class="vf-text">', "").replace("</span>", ""))
    assert visible == XSS


def test_markdown_syntax_in_documents_is_neutralised() -> None:
    out = render.esc("![pixel](http://evil.example/p.png) [click](javascript:alert(1)) :red[x] $x$")
    for raw in ("![", "](", ":red[", "$x$"):
        assert raw not in out
    assert html.unescape(out) == "![pixel](http://evil.example/p.png) [click](javascript:alert(1)) :red[x] $x$"


def test_newlines_become_breaks_so_the_html_block_never_ends() -> None:
    assert "\n" not in render.esc("one\n\ntwo\r\nthree")
    assert render.esc("a\nb") == "a<br>b"


def test_spans_are_marked_merged_and_clipped() -> None:
    text = "IS-K killed 338 civilians in Pakistan"
    out = render.highlight(text, [(12, 15), (12, 25), (-5, 4), (30, 999)])
    assert out.count("<mark>") == 3
    assert "<mark>IS-K</mark>" in out
    assert "<mark>338 civilians</mark>" in out
    assert "<mark>akistan</mark>" in out


def test_overlapping_spans_with_different_classes_do_not_nest() -> None:
    merged = render.merge_spans([(0, 10, "a"), (5, 15, "b"), (20, 20, "c")], 30)
    assert merged == [(0, 10, "a"), (10, 15, "b")]


def test_links_only_for_http_urls_and_attributes_escaped() -> None:
    assert render.safe_url("javascript:alert(1)") is None
    assert render.safe_url("data:text/html,hi") is None
    assert render.safe_url("https://example.org/x") == "https://example.org/x"
    assert "<a" not in render.link("javascript:alert(1)", "x")
    out = render.link('https://example.org/"onmouseover="x', "label")
    assert '"onmouseover="' not in out and "&quot;onmouseover=&quot;" in out


def test_verdict_and_reliability_badges() -> None:
    assert "vf-verdict-supported" in render.verdict_badge("SUPPORTED", 0.914)
    assert "91%" in render.verdict_badge("SUPPORTED", 0.914)
    assert "vf-verdict-refuted" in render.verdict_badge("REFUTED", 0.5)
    assert "vf-verdict-nei" in render.verdict_badge("NOT ENOUGH EVIDENCE", None)
    assert "vf-rel-high" in render.reliability_badge(0.85)
    assert "vf-rel-low" in render.reliability_badge(0.1)
    assert "unrated" in render.reliability_badge(None)
    assert "&lt;desk&gt;" in render.reliability_badge(0.5, "by <desk>")


def test_evidence_header_and_text_escape_every_piece() -> None:
    ev = _evidence(XSS, spans=((0, 8),))
    header = render.evidence_header(ev)
    assert "<b>title</b>" not in header and "A &lt;b&gt;title&lt;/b&gt;" in header
    assert 'href="https://example.org/a?b=1&amp;c=2"' in header
    assert "2020-08-03" in header and "reliability 0.75" in header
    body = render.evidence_text(ev)
    assert "<script>" not in body and "<mark>&lt;script&gt;</mark>" in body


def test_evidence_card_holds_header_text_and_figures_escaped() -> None:
    als = (QuantityAlignment("<b>3,000</b>", 3000.0, "civilians", (0, 5), "338", 338.0,
                             "civilians", (1, 4), "mismatch", "3,000 vs 338"),)
    card = render.evidence_card(_evidence(XSS, alignments=als, spans=((0, 8),)))
    assert card.startswith('<div class="vf-card" data-passage-id="7">') and card.endswith("</div>")
    assert "A &lt;b&gt;title&lt;/b&gt;" in card and "<mark>&lt;script&gt;</mark>" in card
    assert 'class="vf-al-mismatch"' in card
    assert "<script>" not in card and "<b>3,000</b>" not in card
    plain = render.evidence_card(_evidence("no figures here"))
    assert "<table" not in plain        # no figures compared, no table


def test_alignment_rows_mark_match_and_mismatch() -> None:
    als = (
        QuantityAlignment("338", 338.0, "civilians", (12, 15), "338", 338.0, "civilians",
                          (40, 43), "match"),
        QuantityAlignment("more than 3,000", 3000.0, "civilians", (12, 27), "338", 338.0,
                          "civilians", (40, 43), "mismatch", "3,000 vs 338"),
    )
    rows = render.alignment_rows(als)
    assert [r["result"] for r in rows] == ["✓ match", "✗ mismatch"]
    assert rows[1]["claim figure"] == "more than 3,000" and rows[1]["evidence figure"] == "338"
    ev = _evidence("x" * 50, alignments=als, spans=((0, 2),))
    assert render.evidence_spans(ev) == [(0, 2), (40, 43), (40, 43)]


def test_agreement_rows_sign_follows_stance() -> None:
    rows = render.agreement_rows([
        _evidence("a", "supports"),
        _evidence("b", "refutes", p_supports=0.1, p_refutes=0.8, rank=2),
        _evidence("c", "unrelated", rank=3),
    ])
    assert rows[0]["agreement"] > 0 > rows[1]["agreement"]
    assert rows[2]["agreement"] == 0
    assert rows[1]["evidence"] == "#2 example.org"


def test_to_rows_flattens_dataclasses_and_dates() -> None:
    rows = render.to_rows([_passage("t")], ["domain", "published_date", "passage_id"])
    assert rows == [{"domain": "example.org", "published_date": "2020-08-03", "passage_id": 7}]


def test_md_escape_for_labels() -> None:
    assert render.md_escape("**bold** [x](y)\nnext") == "\\*\\*bold\\*\\* \\[x\\]\\(y\\) next"


def test_alignment_table_is_escaped_html_with_status_classes() -> None:
    als = (
        QuantityAlignment("<b>3,000</b>", 3000.0, "civilians", (0, 5), "338", 338.0,
                          "civilians", (1, 4), "mismatch", "3,000 vs 338"),
    )
    out = render.alignment_table(als)
    assert out.startswith("<div><table") and "<b>" not in out
    assert 'class="vf-al-mismatch"' in out and "✗ mismatch" in out
    assert render.alignment_table(()) == ""


def test_form_keys_name_the_edited_object() -> None:
    from verify.ui import forms

    assert forms.widget_key("review_verdict", "chk_1", 0) == "review_verdict::chk_1::0"
    keys = {forms.widget_key("rate_value", d, 2) for d in ("a.example", "b.example")}
    assert len(keys) == 2
    assert forms.widget_key("rate_value", "a.example", 2) != \
        forms.widget_key("rate_value", "a.example", 3)


def test_form_summaries_say_what_will_be_saved() -> None:
    from verify.ui import forms

    assert forms.review_summary("SUPPORTED", "SUPPORTED", "chk_1", " Amina ") == \
        "Will record: verdict SUPPORTED (confirms the tool) on check chk_1, by Amina"
    assert forms.review_summary("REFUTED", "SUPPORTED", "chk_1", "") == \
        "Will record: verdict REFUTED (overrides the tool's SUPPORTED) on check chk_1, " \
        "by (enter your name)"
    assert forms.rating_summary("example.com", 0.2, 0.653, "Bo") == \
        "Will save: example.com rated 0.20 (now 0.65), by Bo"
    assert forms.snap(0.653) == 0.65 and forms.snap(1.2) == 1.0 and forms.snap(-0.1) == 0.0


def test_evidence_header_shows_why_and_a_dissent() -> None:
    ev = _evidence("a", "supports", dissent=True,
                   stance_note="dissent: its best source is rated 0.10, the other side's 0.92")
    out = render.evidence_header(ev)
    assert "dissent</span>" in out
    assert "why: dissent&#58; its best source is rated 0.10" in out
    row = render.agreement_rows([ev])[0]
    assert row["dissent"] is True and row["why"].startswith("dissent")
