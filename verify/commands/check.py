"""``verify check``, ``review``, ``learn`` and ``import-verdicts``: verify a claim, record and learn from a person's verdicts."""

from __future__ import annotations

import json
from typing import Any

import click

from verify.cli import parse_date_option

VERDICT_STYLE = {"SUPPORTED": "bold green", "REFUTED": "bold red",
                 "CONFLICTING": "bold yellow", "NOT ENOUGH EVIDENCE": "bold blue"}
STANCE_TITLE = (("supports", "Supporting evidence", "green"),
                ("refutes", "Refuting evidence", "red"),
                ("unrelated", "Related passages (no clear stance)", "dim"))




def _highlight(text: str, spans: Any, limit: int = 320, anchor: int | None = None) -> Any:
    """The passage as rich Text with the matching spans in bold, shortened around
    ``anchor`` (an aligned figure) or the first span."""
    from rich.text import Text

    start = 0
    if spans and len(text) > limit:
        focus = anchor if anchor is not None else spans[0][0]
        start = max(0, min(focus - 100, len(text) - limit))
    end = min(len(text), start + limit)
    out = Text(("…" if start else "") + text[start:end] + ("…" if end < len(text) else ""))
    shift = 1 if start else 0
    for s, e in spans:
        if s >= start and e <= end:
            out.stylize("bold underline", s - start + shift, e - start + shift)
    return out


def _print_result(result: Any) -> None:
    """Readable verdict, reason, evidence tables and figures side by side."""
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    console = Console()
    style = VERDICT_STYLE.get(result.verdict, "bold")
    console.print(Panel(
        f"[{style}]{result.verdict}[/]  confidence {result.confidence:.2f}\n{escape(result.reason)}",
        title=f"check {result.check_id}", subtitle=escape(result.claim)))
    if result.claim_as_given:
        console.print(f"[dim]checked as cleaned of markup; as given: {escape(repr(result.claim_as_given))}[/]")
    for stance, title, colour in STANCE_TITLE:
        items = [e for e in result.evidence if e.stance == stance]
        if stance == "unrelated":
            items = [e for e in items if e.weight > 0][:3]
        if not items:
            continue
        table = Table(title=f"[{colour}]{title}[/]", show_lines=True, expand=True)
        for name, justify in (("#", "right"), ("source", "left"), ("rel.", "right"),
                              ("weight", "right"), ("passage", "left")):
            table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
        for e in items:
            p = e.passage
            meta = [p.domain or "—"]
            if p.published_date:
                meta.append(p.published_date.isoformat())
            if p.url:
                meta.append(p.url)
            if e.duplicate_of is not None:
                meta.append(f"repeats passage {e.duplicate_of}")
            if e.model_stance != e.stance:
                meta.append(f"model said {e.model_stance}")
            if e.dissent:
                meta.append("[bold]DISSENT[/]: far less reliable than the other side")
            if e.stance_note:
                meta.append(f"why: {escape(e.stance_note)}")
            figures = [a.evidence_span[0] for a in e.alignments
                       if a.evidence_span is not None and a.status != "unaligned"]
            table.add_row(str(e.rank), "\n".join(meta), f"{e.reliability:.2f}", f"{e.weight:.2f}",
                          _highlight(p.text, e.spans, anchor=figures[0] if figures else None))
        console.print(table)
    figures = [(e, a) for e in result.evidence for a in e.alignments
               if a.status != "unaligned" and e.weight > 0]
    if figures:
        table = Table(title="Figures", expand=True)
        for name in ("claim figure", "evidence figure", "status", "source", "note"):
            table.add_column(name, overflow="fold")
        status_style = {"match": "green", "mismatch": "red", "different_scope": "yellow"}
        seen = set()
        for e, a in figures:
            key = (a.claim_text, a.evidence_text, e.passage.domain)
            if key in seen:
                continue
            seen.add(key)
            table.add_row(f"{a.claim_text} {a.claim_unit or ''}".strip(),
                          f"{a.evidence_text} {a.evidence_unit or ''}".strip(),
                          f"[{status_style.get(a.status, '')}]{a.status}[/]",
                          e.passage.domain or "—", a.note)
        console.print(table)
    elif result.claim_quantities:
        console.print(f"Claim figures {', '.join(result.claim_quantities)}: "
                      "no passage gives a figure for the same thing.")


@click.command()
@click.argument("claim")
@click.option("-k", "k", type=click.IntRange(1, 100), default=None,
              help="How many passages to weigh (default: settings, 8).")
@click.option("--domain", "domains", multiple=True, help="Only this source domain (repeatable).")
@click.option("--since", help="Only documents published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only documents published on or before this date (YYYY-MM-DD).")
@click.option("--min-reliability", type=click.FloatRange(0, 1), default=None,
              help="Only sources at least this reliable (0..1).")
@click.option("--no-save", is_flag=True, help="Do not store the result in the check history.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.pass_context
def check(ctx: click.Context, claim: str, k: int | None, domains: tuple[str, ...],
          since: str | None, until: str | None, min_reliability: float | None, no_save: bool,
          as_json: bool) -> None:
    """Verify CLAIM against the corpus: verdict, confidence, reason and evidence."""
    from verify.cli import open_workspace
    from verify.types import SearchFilters

    filters = SearchFilters(domains=domains, date_from=parse_date_option(since, "--since"),
                            date_to=parse_date_option(until, "--until"),
                            min_reliability=min_reliability)
    with open_workspace(ctx, existing=True) as ws:
        result = ws.check(claim, k=k, filters=None if filters.is_empty() else filters,
                          save=not no_save)
        matches = _earlier_fact_checks(ws, claim)
    if as_json:
        out = result.to_dict()
        out["earlier_fact_checks"] = [m.to_dict() for m in matches]
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    if matches:
        from verify.commands.match import print_matches

        print_matches(matches, "[bold]Checked before[/]: earlier fact-checks of this claim")
    _print_result(result)


def _earlier_fact_checks(ws: Any, claim: str) -> list[Any]:
    """The archive's best matches for ``claim`` that clear ``MATCH_THRESHOLD`` (at most 3,
    each fact-check once; docs/archive.md); none when the archive is empty or cannot be
    read."""
    from verify.archive import earlier_fact_checks
    from verify.errors import VerifyError

    try:
        return earlier_fact_checks(ws, claim)
    except VerifyError as exc:   # the check itself stands; the archive is an extra
        click.echo(f"warning: the fact-check archive could not be searched: {exc}", err=True)
        return []


@click.command()
@click.argument("check_id")
@click.option("--verdict", "verdict", required=True,
              help="SUPPORTED, REFUTED, CONFLICTING or 'NOT ENOUGH EVIDENCE'.")
@click.option("--by", "reviewer", required=True, help="Your name, recorded with the verdict.")
@click.option("--note", default="", help="Why (shown in the history).")
@click.pass_context
def review(ctx: click.Context, check_id: str, verdict: str, reviewer: str, note: str) -> None:
    """Confirm or override the verdict of check CHECK_ID."""
    from verify.cli import open_workspace

    with open_workspace(ctx, existing=True) as ws:
        verdict_id = ws.review(check_id, verdict, reviewer, note)
    click.echo(f"recorded {verdict_id}: {check_id} -> {verdict} by {reviewer}")


@click.command()
@click.option("--min-reviews", type=click.IntRange(2, None), default=None,
              help="Reviewed checks needed before a head is fitted (default 60).")
@click.option("--activate/--no-activate", "activate", default=None,
              help="Force the new head on or off (default: on only if it beats the rule).")
@click.option("--off", is_flag=True, help="Switch learned heads off; checks use the rule again.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def learn(ctx: click.Context, min_reviews: int | None, activate: bool | None, off: bool,
          as_json: bool) -> None:
    """Learn a verdict head from this workspace's reviewed checks (see `verify review`)."""
    from verify.cli import open_workspace

    with open_workspace(ctx, existing=True) as ws:
        if off:
            n = ws.forget_learned_verdicts()
            click.echo(f"switched {n} learned head{'s' if n != 1 else ''} off; checks use the rule")
            return
        report = ws.learn_verdicts(min_reviews=min_reviews, activate=activate)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    _print_head_report(report)


def _print_head_report(report: Any) -> None:
    """What ``verify learn`` fitted, in three lines at most."""
    head = report.head
    counts = ", ".join(f"{k} {v}" for k, v in sorted(head.label_counts.items()))
    click.echo(f"head {head.head_id}: {report.reviews_used} reviewed checks ({counts})")
    if report.reviews_skipped:
        click.echo(f"skipped {report.reviews_skipped} reviewed checks run under another model "
                   "or other verdict settings")
    click.echo(report.why)


@click.command("import-verdicts")
@click.argument("file", type=click.Path())
@click.option("--by", "reviewer", default=None,
              help="Reviewer name recorded with each verdict (default: import:FILE).")
@click.option("--learn", "then_learn", is_flag=True,
              help="Then learn a verdict head from all reviews (as `verify learn`).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def import_verdicts(ctx: click.Context, file: str, reviewer: str | None, then_learn: bool,
                    as_json: bool) -> None:
    """Check the claims of a file or folder of past verdicts (.csv .tsv .jsonl .json, ClaimReview
    .jsonld, saved fact-check pages .html) and record each verdict as a review, for `verify learn`."""
    from verify.cli import open_workspace

    with open_workspace(ctx) as ws:
        report = ws.import_past_verdicts(file, reviewer=reviewer, progress=not as_json)
        if not as_json:
            click.echo(report.summary())
            for problem in report.problems:
                click.echo(problem, err=True)
        anything = report.imported + report.already_there > 0
        learned = ws.learn_verdicts() if then_learn and anything else None
    if as_json:
        out = report.to_dict()
        if learned is not None:
            out["learned"] = learned.to_dict()
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
    elif learned is not None:
        _print_head_report(learned)
    from verify.cli import exit_for_batch

    exit_for_batch(int(anything), 1 if (report.problems or not anything) else 0)
