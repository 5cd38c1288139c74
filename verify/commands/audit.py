"""``verify audit``: find check-worthy claims in articles, verify each, write reports.

Example:
    $ verify audit articles/ --out report.html --out report.json
    $ verify audit feed.jsonl --text-field body --out report.csv --claimreview reviews.jsonld
    $ verify audit --resume audit-1a2b3c4d5e6f --out report.md
"""

from __future__ import annotations

import json

import click

STATUS_STYLE = {"done": "green", "no_claims": "dim", "empty": "yellow", "too_large": "yellow",
                "unreadable": "red", "failed": "bold red"}


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--out", "-o", "outputs", multiple=True,
              help="Report file; format from the extension: .json .jsonl .csv .md .html. Repeatable.")
@click.option("--claimreview", default=None, help="Write schema.org ClaimReview JSON-LD for "
              "claims a person has confirmed (verify review) to this file.")
@click.option("--report-url", default=None, help="Public URL of the published report (ClaimReview url).")
@click.option("--org", "reviewer_org", default="verify", show_default=True,
              help="Organisation named as ClaimReview author.")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=None,
              help="Check-worthiness threshold (default: the model's, chosen for F1).")
@click.option("--resume", "audit_id", default=None, metavar="AUDIT_ID",
              help="Resume (or re-report) this audit; without PATHS its stored inputs are used.")
@click.option("--restart", is_flag=True, help="Discard this audit's stored results and redo it.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Threads verifying claims in parallel.")
@click.option("--max-chars", type=click.IntRange(1), default=None,
              help="Longest article audited (characters); longer ones are reported too_large.")
@click.option("--text-field", default=None, help="JSONL/CSV column holding the article text.")
@click.option("--title-field", default=None, help="JSONL/CSV column holding the title.")
@click.option("--url-field", default=None, help="JSONL/CSV column holding the URL.")
@click.option("--id-field", default=None, help="JSONL/CSV column holding the article id.")
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
@click.option("--json", "as_json", is_flag=True, help="Print the audit summary as JSON.")
@click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None,
              metavar="[ADDRESS]", help="Extract and verify on a Ray cluster (default: the one "
              "this machine joined); this process still writes every article.")
@click.pass_context
def audit(ctx: click.Context, paths: tuple[str, ...], outputs: tuple[str, ...],
          claimreview: str | None, report_url: str | None, reviewer_org: str,
          threshold: float | None, audit_id: str | None, restart: bool, workers: int,
          max_chars: int | None, text_field: str | None, title_field: str | None,
          url_field: str | None, id_field: str | None, no_progress: bool, as_json: bool,
          ray_address: str | None) -> None:
    """Audit articles: files or folders (.txt .md .html .jsonl .csv) or web pages by URL
    (https://...; the page's title, outlet and date go into the report).

    Exits 0 when every article was audited, 1 when some could not be (too large,
    unreadable, failed: each is in the report), 2 when none could."""
    from verify.cli import open_workspace

    if not paths and not audit_id:
        raise click.UsageError("give article files, folders or URLs, or --resume AUDIT_ID")
    fields = {k: v for k, v in (("text", text_field), ("title", title_field), ("url", url_field),
                                ("id", id_field)) if v}
    options: dict[str, object] = {"fields": fields or None}
    if max_chars is not None:
        options["max_chars"] = max_chars
    if ray_address is not None:
        options["ray"] = ray_address
    with open_workspace(ctx) as ws:
        result = ws.audit(list(paths), out=list(outputs) or None, threshold=threshold,
                          audit_id=audit_id, resume=not restart, progress=not no_progress,
                          workers=workers, claimreview=claimreview, reviewer_org=reviewer_org,
                          report_url=report_url, **options)
    if as_json:
        click.echo(json.dumps({"audit_id": result.audit_id, "summary": result.summary,
                               "skipped": result.skipped, "processed": result.processed,
                               "outputs": result.outputs,
                               "articles": [{"key": a.key, "status": a.status,
                                             "message": a.message, **a.summary}
                                            for a in result.articles]}, indent=2))
    else:
        _print_summary(result)
    from verify.cli import exit_for_batch

    exit_for_batch(*result.outcome)   # README: 0 all audited, 1 some not (reported), 2 none


def _print_summary(result: object) -> None:
    """A rich table: one row per article, then totals and the report files."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"audit {result.audit_id}")  # type: ignore[attr-defined]
    for name in ("article", "status", "checked", "supported", "refuted", "conflicting",
                 "unverifiable", "note"):
        table.add_column(name, overflow="fold")
    for a in result.articles:  # type: ignore[attr-defined]
        s = a.summary
        style = STATUS_STYLE.get(a.status, "")
        table.add_row(a.title or a.key, f"[{style}]{a.status}[/]" if style else a.status,
                      str(s["claims_checked"]), str(s["supported"]), str(s["refuted"]),
                      str(s["conflicting"]), str(s["unverifiable"]), a.message)
    console.print(table)
    t = result.summary  # type: ignore[attr-defined]
    console.print(f"{t['claims_checked']} claims checked in {t['articles']} articles: "
                  f"{t['supported']} supported, {t['refuted']} refuted, {t['conflicting']} "
                  f"conflicting, {t['unverifiable']} unverifiable"
                  + (f"; {result.skipped} articles already done" if result.skipped else ""))  # type: ignore[attr-defined]
    for path in result.outputs:  # type: ignore[attr-defined]
        console.print(f"wrote {path}")
