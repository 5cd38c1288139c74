"""``verify ingest``, ``verify remove`` and ``verify stats``: build and inspect the corpus."""

from __future__ import annotations

import json

import click


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--urls", "url_files", multiple=True, type=click.Path(path_type=str),
              help="Text file of URLs to fetch, one per line. Repeatable.")
@click.option("--feed", "feeds", multiple=True, metavar="URL|FILE",
              help="RSS/Atom feed or sitemap: ingest its items not yet in the workspace. Repeatable.")
@click.option("--timeout", "fetch_timeout", type=click.FloatRange(min=0.1), default=20.0,
              show_default=True, help="Seconds to wait for one web page.")
@click.option("--per-host-interval", type=click.FloatRange(min=0.0), default=1.0,
              show_default=True, help="Seconds between two requests to the same site.")
@click.option("--retries", type=click.IntRange(0, 10), default=2, show_default=True,
              help="Extra tries for a page on a server error (5xx) or a timeout.")
@click.option("--text-field", default="text", show_default=True, help="JSONL/CSV field with the text.")
@click.option("--url-field", default="url", show_default=True, help="JSONL/CSV field with the URL.")
@click.option("--title-field", default="title", show_default=True, help="Field with the title.")
@click.option("--date-field", default="date", show_default=True, help="Field with the publication date.")
@click.option("--source-field", default="source", show_default=True, help="Field with the outlet name.")
@click.option("--author-field", default="author", show_default=True, help="Field with the author.")
@click.option("--language-field", default="language", show_default=True, help="Field with the language code.")
@click.option("--max-size-mb", type=click.FloatRange(min=0.001), default=25.0, show_default=True,
              help="Largest document (file, or JSONL/CSV row) to read, in MB.")
@click.option("--no-index", is_flag=True, help="Do not update the search index afterwards.")
@click.option("--prune", is_flag=True,
              help="Remove documents read from files under the given folders that no longer exist.")
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None,
              metavar="[ADDRESS]", help="Embed the passages on a Ray cluster (default: the "
              "one this machine joined); this process still writes the workspace.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[str, ...], text_field: str, url_field: str,
           title_field: str, date_field: str, source_field: str, author_field: str,
           language_field: str, max_size_mb: float, no_index: bool, prune: bool,
           no_progress: bool, as_json: bool, url_files: tuple[str, ...], feeds: tuple[str, ...],
           fetch_timeout: float, per_host_interval: float, retries: int,
           ray_address: str | None) -> None:
    """Ingest files or folders (.txt .md .html .pdf .jsonl .csv, WARC/ARC web archives),
    web pages (https://... or --urls FILE) and feeds (--feed) into the workspace.

    Web pages are fetched politely (robots.txt, a User-Agent naming verify, one request per
    site per --per-host-interval, retries with backoff) and a page that fails is reported
    while the rest go on. A feed's items already in the workspace are not fetched again.

    Re-running is safe: unchanged documents are skipped, changed ones replaced, and a run
    that was killed is completed (the index included). A moved or copied file is the same
    document (its URL, else its text, identifies it). Search, check and stats keep
    working while an ingest runs.
    """
    from verify.cli import open_workspace
    from verify.ingest.fetch import FetchPolicy, is_url

    if not (paths or url_files or feeds):
        raise click.UsageError("give files, folders or URLs to ingest, or --urls FILE / --feed URL")
    max_bytes = int(max_size_mb * 1024 * 1024)
    policy = FetchPolicy(timeout_s=fetch_timeout, max_bytes=max_bytes,
                         min_interval_s=per_host_interval, retries=retries)
    urls = [p for p in paths if is_url(p)]
    with open_workspace(ctx) as opened:
        ws = opened
        if ray_address is not None:
            from verify.batch.raywork import on_ray

            ws = on_ray(opened, ray_address)
        report = ws.ingest(
            [p for p in paths if not is_url(p)], urls=urls, url_files=list(url_files),
            feeds=list(feeds), fetch_policy=policy, text_field=text_field, url_field=url_field, title_field=title_field,
            date_field=date_field, source_field=source_field, author_field=author_field,
            language_field=language_field, progress=not (no_progress or as_json),
            sync_index=not no_index, max_bytes=max_bytes, prune=prune)
    if as_json:
        from verify.types import to_jsonable

        click.echo(json.dumps(to_jsonable(report), indent=2, ensure_ascii=False))
    else:
        _print_report(report)
    from verify.cli import exit_for_batch

    exit_for_batch(0 if report.all_failed else 1, report.failed)


def _print_report(report: object) -> None:
    """A summary table, then each problem as ``path:line: reason``."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="ingest")
    for name in ("files", "added", "updated", "skipped", "removed", "failed", "passages added",
                 "passages removed"):
        table.add_column(name, justify="right")
    table.add_row(*(str(getattr(report, f)) for f in (
        "files", "added", "updated", "skipped", "removed", "failed", "passages_added",
        "passages_removed")))
    Console().print(table)
    if getattr(report, "urls", 0) or getattr(report, "feeds", 0):
        click.echo(f"web: {report.urls} page(s) fetched, {report.feeds} feed(s) read, "  # type: ignore[attr-defined]
                   f"{report.feed_known} feed item(s) already in the workspace")  # type: ignore[attr-defined]
    extractors = getattr(report, "extractors", {})
    if extractors:
        click.echo("HTML read by: " + ", ".join(f"{k} {v}" for k, v in sorted(extractors.items())))
    for run_id in getattr(report, "recovered_runs", []):
        click.echo(f"an earlier ingest (run {run_id}) was killed before it finished; "
                   "this run completed its work", err=True)
    if getattr(report, "index_in_sync", None) is False:
        click.echo("warning: the index is not in line with the corpus; run `verify index`", err=True)
    for issue in getattr(report, "errors", []):
        click.echo(f"{issue}", err=True)
    for issue in getattr(report, "warnings", []):
        click.echo(f"warning: {issue}", err=True)
    ignored = getattr(report, "ignored", [])
    if ignored:
        click.echo(f"ignored {len(ignored)} file(s) of unsupported type, e.g. {ignored[0].path}", err=True)


@click.command()
@click.argument("ref")
@click.pass_context
def remove(ctx: click.Context, ref: str) -> None:
    """Remove documents by id, file path, origin key or URL; says how many it removed.

    A JSONL/CSV path removes all its rows; a URL removes every document with that URL.
    """
    from verify.cli import open_workspace
    from verify.ingest import remove_documents

    with open_workspace(ctx) as ws:
        report = remove_documents(ws, ref)
    click.echo(report.summary())


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Documents, passages, sources and the date range of the corpus."""
    from verify.cli import open_workspace

    with open_workspace(ctx, existing=True) as ws:
        result = ws.corpus_stats()
    if as_json:
        from verify.types import to_jsonable

        click.echo(json.dumps(to_jsonable(result), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    span = (f"{result.earliest} to {result.latest}" if result.earliest else "no dates")
    console.print(f"{result.documents} documents, {result.passages} passages, "
                  f"{result.sources} sources, published {span}")
    if result.languages:
        console.print("languages: " + ", ".join(f"{k} {v}" for k, v in result.languages.items()))
    table = Table(title="per source")
    for name, justify in (("domain", "left"), ("name", "left"), ("documents", "right"), ("passages", "right")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in result.per_source:
        table.add_row(row.domain or "(none)", row.name or "", str(row.documents), str(row.passages))
    console.print(table)
