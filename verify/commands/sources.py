"""``verify sources``: maintain source reliability ratings (thin adapters over SourceBook).

A source is a domain (``example-news.com``), an account on a platform (``x.com/@handle``,
``youtube.com/@channel``, ``name.substack.com``), a host without a public suffix
(``wiki.intranet``, ``10.0.0.5``) or a full URL, reduced to its key (docs/sources.md).

Example:
    $ verify sources rate example-news.com 0.8 --rationale "corrections policy" --by ana
    $ verify sources rate https://twitter.com/SomeHandle 0.3 --rationale "fabricated quotes" --by ana
    $ verify sources history example-news.com
    $ verify sources import ratings.csv --format generic
    $ verify sources rekey --dry-run
"""

from __future__ import annotations

import json
from typing import Any

import click

from verify.cli import exit_for_batch, open_workspace

FORMATS = ("generic", "lin2023", "mbfc", "lasser")
SORTS = ("domain", "value", "value-asc", "raters")


def _console() -> Any:
    from rich.console import Console

    return Console()


def _table(title: str, *columns: str) -> Any:
    from rich.table import Table

    table = Table(title=title)
    for col in columns:
        table.add_column(col, overflow="fold")
    return table


def _dump(obj: Any) -> None:
    from verify.types import to_jsonable

    click.echo(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False))


def _fmt_time(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "—"


def _parts(parts: Any) -> str:
    return ", ".join(f"{who} {v:.2f}×{w:g}" for who, v, w in parts)


@click.group()
def sources() -> None:
    """Source reliability ratings: list, show, rate, history, import, export, suggestions."""


@sources.command("list")
@click.option("--query", "-q", default=None, help="Only domains or names containing this text.")
@click.option("--sort", type=click.Choice(SORTS), default="domain", show_default=True)
@click.option("--limit", type=int, default=50, show_default=True, help="0 for all.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def list_cmd(ctx: click.Context, query: str | None, sort: str, limit: int, as_json: bool) -> None:
    """List rated sources with their effective reliability and its parts."""
    with open_workspace(ctx, existing=True) as ws:
        items = ws.sources.list_sources(query=query, sort=sort, limit=limit or None)
        if as_json:
            _dump(items)
            return
        table = _table(f"{len(items)} source(s)", "domain", "name", "reliability", "band", "parts")
        for s in items:
            table.add_row(s.domain, s.name or "", f"{s.value:.2f}", s.band, _parts(s.parts))
        _console().print(table)


@sources.command()
@click.argument("domain", metavar="SOURCE")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def show(ctx: click.Context, domain: str, as_json: bool) -> None:
    """Everything about one SOURCE (domain, account, host or URL): value, raters, history."""
    with open_workspace(ctx, existing=True) as ws:
        view = ws.sources.show(domain)
        if as_json:
            _dump(view)
            return
        console = _console()
        rel = view.reliability
        console.print(f"[bold]{view.domain}[/]" + (f" — {view.name}" if view.name else ""))
        console.print(f"effective reliability [bold]{rel.value:.2f}[/]: {rel.explanation}")
        if view.aliases:
            console.print("aliases: " + ", ".join(view.aliases))
        table = _table("current ratings", "rater", "kind", "value", "raw", "label", "since", "rationale")
        for e in view.current:
            table.add_row(e.rater, e.rater_kind, f"{e.reliability:.2f}", f"{e.raw_value} ({e.scale})",
                          e.label or "", _fmt_time(e.valid_from), e.rationale or "")
        console.print(table)
        if view.track_record is not None:
            tr = view.track_record
            console.print(f"track record: {tr.agreements} agree / {tr.disagreements} disagree; "
                          f"posterior {tr.posterior_mean:.2f} "
                          f"(90% {tr.interval[0]:.2f}-{tr.interval[1]:.2f})")
        for s in view.suggestions:
            console.print(f"open suggestion #{s.suggestion_id}: {s.current_value or 0:.2f} -> "
                          f"{s.suggested_value:.2f}")


@sources.command()
@click.argument("domain", metavar="SOURCE")
@click.argument("value")
@click.option("--rationale", "-r", required=True, help="Why (required for a person's rating).")
@click.option("--by", "by", required=True, help="Who is rating.")
@click.option("--scale", default="0-1", show_default=True,
              help="0-1, 0-10, 0-100, 1-5, 1-3, mbfc, mbfc-credibility, label, lasser.")
@click.option("--label", default=None, help="Optional label, e.g. high, mixed.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def rate(ctx: click.Context, domain: str, value: str, rationale: str, by: str, scale: str,
         label: str | None, as_json: bool) -> None:
    """Record a rating of SOURCE (a new entry; earlier ratings are kept).

    SOURCE is a domain (bbc.co.uk), an account (x.com/@handle, youtube.com/@channel,
    name.substack.com), a host without a public suffix (wiki.intranet, 10.0.0.5) or a
    full URL, which is reduced to its key (https://twitter.com/Handle/status/1 ->
    x.com/@handle). An account's rating overrides its platform's.
    """
    from verify.sources.keys import parse_source

    with open_workspace(ctx) as ws:
        event = ws.sources.rate(domain, value, rationale=rationale, by=by, scale=scale, label=label)
        rel = ws.reliability(event.domain)
        if as_json:
            _dump({"rating": event, "reliability": rel})
            return
        parsed = parse_source(event.domain, allow_path=True)
        kind = {"account": f"; account on {parsed.platform}",
                "host": "; a host without a public suffix"}.get(parsed.kind, "")
        click.echo(f"rated {event.domain} {event.reliability:.2f} (#{event.rating_id} by {event.rater}"
                   f"{kind}); effective now {rel.value:.2f}: {rel.explanation}")


@sources.command()
@click.argument("domain", metavar="SOURCE")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def history(ctx: click.Context, domain: str, as_json: bool) -> None:
    """The full rating trail of SOURCE: who, when, from what to what, why."""
    with open_workspace(ctx, existing=True) as ws:
        events = ws.sources.history(domain)
        if as_json:
            _dump(events)
            return
        table = _table(f"history of {domain}", "when", "rater", "from", "to", "until", "set",
                       "rationale")
        for e in events:
            table.add_row(_fmt_time(e.valid_from), e.rater,
                          "—" if e.previous is None else f"{e.previous:.2f}", f"{e.reliability:.2f}",
                          _fmt_time(e.valid_to) if e.valid_to else "current",
                          f"{e.rating_set}@{e.set_version}" if e.rating_set else "", e.rationale or "")
        _console().print(table)


@sources.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--strict", is_flag=True, help="Refuse the whole file if any row is malformed.")
@click.option("--name", default=None, help="Rating set name (default: per format / file name).")
@click.option("--version", "version", default=None, help="Version of the file (default: its hash).")
@click.option("--licence", default=None, help="Licence / terms of the file.")
@click.option("--weight", type=float, default=None, help="Weight of this set (default 1).")
@click.option("--in-house", is_flag=True, help="Rows are your newsroom's own ratings (by --by).")
@click.option("--by", "by", default="import", show_default=True, help="Who imports.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def import_cmd(ctx: click.Context, file: str, fmt: str, strict: bool, name: str | None,
               version: str | None, licence: str | None, weight: float | None, in_house: bool,
               by: str, as_json: bool) -> None:
    """Import a rating FILE as a new rating set (bad rows reported by line).

    The domain column may hold domains, accounts (x.com/@handle), hosts or full URLs.
    """
    with open_workspace(ctx) as ws:
        report = ws.sources.import_file(file, fmt, name=name, version=version, licence=licence,
                                        strict=strict, by=by, weight=weight, in_house=in_house)
        if as_json:
            _dump(report)
        elif report.already_imported:
            click.echo(f"{file} is already imported as set #{report.rating_set_id} "
                       f"({report.name}); nothing written")
        else:
            click.echo(f"imported {report.rows_imported} of {report.rows_read} rows as set "
                       f"#{report.rating_set_id} {report.name}@{report.version} in "
                       f"{report.seconds:.2f}s; {report.rows_rejected} rejected, "
                       f"{report.rows_skipped} skipped, {report.superseded} superseded earlier ratings")
            for issue in report.errors[:20]:
                click.echo(f"  rejected {issue}", err=True)
            if len(report.errors) > 20:
                click.echo(f"  ... and {len(report.errors) - 20} more rejected", err=True)
    # 1 when some rows were rejected (README, "Exit codes")
    if not report.already_imported:  # an earlier import already reported its rows
        exit_for_batch(report.rows_imported, report.rows_rejected)


@sources.command()
@click.argument("out", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(("csv", "json")), default="csv", show_default=True)
@click.pass_context
def export(ctx: click.Context, out: str, fmt: str) -> None:
    """Write every rating with its full history to OUT."""
    with open_workspace(ctx, existing=True) as ws:
        n = ws.sources.export(out, fmt)
        click.echo(f"wrote {n} ratings to {out}")


@sources.command()
@click.argument("domain")
@click.argument("alias")
@click.pass_context
def alias(ctx: click.Context, domain: str, alias: str) -> None:
    """Record ALIAS as another domain of the outlet at DOMAIN."""
    with open_workspace(ctx) as ws:
        canonical = ws.sources.add_alias(domain, alias)
        click.echo(f"{alias} is now an alias of {canonical}")


@sources.command()
@click.option("--dry-run", is_flag=True, help="Only list the documents that would move.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def rekey(ctx: click.Context, dry_run: bool, as_json: bool) -> None:
    """Credit documents to the source key their URL gives now.

    Run after upgrading (documents from x.com/<handle> were credited to x.com) or after
    adding platforms; the index is not touched.
    """
    with open_workspace(ctx, existing=True) as ws:
        moves = ws.sources.rekey_documents(dry_run=dry_run)
        if as_json:
            _dump([{"document_id": d, "from": old, "to": new} for d, old, new in moves])
            return
        verb = "would move" if dry_run else "moved"
        click.echo(f"{verb} {len(moves)} document(s) to their source key")
        for document_id, old, new in moves[:20]:
            click.echo(f"  #{document_id}: {old or '—'} -> {new}")
        if len(moves) > 20:
            click.echo(f"  ... and {len(moves) - 20} more")


@sources.command("track-record")
@click.argument("domain", required=False)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def track_record(ctx: click.Context, domain: str | None, as_json: bool) -> None:
    """How often each source's evidence agreed with final verdicts."""
    with open_workspace(ctx, existing=True) as ws:
        records = ws.sources.track_record(domain)
        if as_json:
            _dump(records)
            return
        table = _table("track record", "domain", "current", "agree", "disagree", "posterior", "90%")
        for r in records:
            table.add_row(r.domain, f"{r.current:.2f}", str(r.agreements), str(r.disagreements),
                          f"{r.posterior_mean:.2f}", f"{r.interval[0]:.2f}-{r.interval[1]:.2f}")
        _console().print(table)


@sources.command()
@click.option("--all", "include_decided", is_flag=True, help="Include decided suggestions.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def suggestions(ctx: click.Context, include_decided: bool, as_json: bool) -> None:
    """Suggested rating changes from the track record (never applied by themselves)."""
    with open_workspace(ctx, existing=True) as ws:
        items = ws.sources.suggestions(include_decided=include_decided)
        if as_json:
            _dump(items)
            return
        table = _table("suggestions", "id", "domain", "current", "suggested", "agree", "disagree",
                       "status")
        for s in items:
            table.add_row(str(s.suggestion_id), s.domain,
                          "—" if s.current_value is None else f"{s.current_value:.2f}",
                          f"{s.suggested_value:.2f}", str(s.agreements), str(s.disagreements),
                          s.decision or "open")
        _console().print(table)


@sources.command()
@click.argument("suggestion_id", type=int)
@click.option("--by", "by", required=True, help="Who accepts.")
@click.option("--note", default="", help="Why.")
@click.pass_context
def accept(ctx: click.Context, suggestion_id: int, by: str, note: str) -> None:
    """Accept suggestion ID: writes a rating citing it."""
    with open_workspace(ctx, existing=True) as ws:
        event = ws.sources.accept_suggestion(suggestion_id, by, note)
        click.echo(f"rated {event.domain} {event.reliability:.2f} (#{event.rating_id}): {event.rationale}")


@sources.command()
@click.argument("suggestion_id", type=int)
@click.option("--by", "by", required=True, help="Who dismisses.")
@click.option("--note", default="", help="Why.")
@click.pass_context
def dismiss(ctx: click.Context, suggestion_id: int, by: str, note: str) -> None:
    """Dismiss suggestion ID (recorded; no rating changes)."""
    with open_workspace(ctx, existing=True) as ws:
        s = ws.sources.dismiss_suggestion(suggestion_id, by, note)
        click.echo(f"dismissed suggestion #{s.suggestion_id} for {s.domain}")
