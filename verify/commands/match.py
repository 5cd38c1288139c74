"""``verify match`` and ``verify archive``: earlier fact-checks of a claim, and the archive."""

from __future__ import annotations

import json
from typing import Any

import click


def print_matches(matches: list[Any], title: str, console: Any = None) -> None:
    """A table of archive matches: score, rating, who and when, the claim and why."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    table = Table(title=title, show_lines=True, expand=True)
    for name, justify in (("#", "right"), ("score", "right"), ("rating", "left"),
                          ("fact-check", "left"), ("why", "left")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for m in matches:
        fc = m.fact_check
        rating = escape(fc.rating or "—")
        if fc.verdict:
            rating += f"\n[dim]({fc.verdict})[/]"
        meta = " · ".join(x for x in (fc.organisation, fc.review_date and fc.review_date.isoformat(),
                                      fc.claimant and f"claimant: {fc.claimant}") if x)
        body = f"[bold]{escape(fc.claim)}[/]"
        if meta:
            body += f"\n{escape(meta)}"
        if fc.url:
            body += f"\n{escape(fc.url)}"
        table.add_row(str(m.rank), f"{m.score:.2f}", rating, body, escape("; ".join(m.why) or "—"))
    console.print(table)


@click.command()
@click.argument("claim")
@click.option("-k", "k", type=click.IntRange(1, 100), default=5, show_default=True,
              help="How many earlier fact-checks to list.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Only matches scoring at least this (0..1; see docs/archive.md).")
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
@click.pass_context
def match(ctx: click.Context, claim: str, k: int, min_score: float, as_json: bool) -> None:
    """Has CLAIM been fact-checked before? Earlier fact-checks from the archive, ranked, each
    with a score and why (import them with `verify archive import`)."""
    from verify.cli import open_workspace

    with open_workspace(ctx, existing=True) as ws:
        matches = ws.match(claim, k=k, min_score=min_score)
    if as_json:
        click.echo(json.dumps([m.to_dict() for m in matches], indent=2, ensure_ascii=False))
        return
    if not matches:
        click.echo("No earlier fact-check matched (is the archive empty? "
                   "see `verify archive import`).")
        return
    print_matches(matches, f"earlier fact-checks: {claim}")


@click.group()
def archive() -> None:
    """The fact-check archive: import earlier fact-checks, list them, see its size."""


@archive.command("import")
@click.argument("path", type=click.Path())
@click.option("--organisation", default=None,
              help="Fact-checking organisation for records that name none.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def archive_import(ctx: click.Context, path: str, organisation: str | None, as_json: bool) -> None:
    """Import fact-checks from PATH (a file or folder: ClaimReview .json/.jsonld feeds and
    pages .html, Fact Check Tools exports .json, .csv/.tsv, .jsonl). Idempotent."""
    from verify.cli import exit_for_batch, open_workspace

    with open_workspace(ctx) as ws:
        report = ws.import_fact_checks(path, organisation=organisation, progress=not as_json)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.summary())
        for problem in report.problems:
            click.echo(problem, err=True)
    exit_for_batch(int(report.read > 0), 1 if report.problems else 0)


@archive.command("list")
@click.argument("query", required=False, default="")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the fact-checks as JSON.")
@click.pass_context
def archive_list(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
    """List fact-checks, newest first; QUERY keeps those with every word of it."""
    from verify.archive import list_fact_checks
    from verify.cli import open_workspace

    with open_workspace(ctx, existing=True) as ws:
        items = list_fact_checks(ws, query, limit)
    if as_json:
        click.echo(json.dumps([fc.to_dict() for fc in items], indent=2, ensure_ascii=False))
        return
    for fc in items:
        click.echo(f"[{fc.fact_check_id}] {fc.claim}\n    {fc.label()}"
                   + (f" {fc.url}" if fc.url else ""))
    if not items:
        click.echo("No fact-checks" + (" match." if query else " yet."))


@archive.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def archive_status(ctx: click.Context, as_json: bool) -> None:
    """How many fact-checks the archive holds, from how many organisations."""
    from verify.archive import archive_stats
    from verify.cli import open_workspace

    with open_workspace(ctx, existing=True) as ws:
        stats = archive_stats(ws)
    if as_json:
        click.echo(json.dumps(stats, indent=2, default=str))
        return
    for key, value in stats.items():
        click.echo(f"{key.replace('_', ' ')}: {value if value is not None else '—'}")
