"""``verify search`` and ``verify index``: retrieval and index maintenance."""

from __future__ import annotations

import json

import click

from verify.cli import parse_date_option


@click.command()
@click.argument("claim")
@click.option("-k", "k", type=click.IntRange(1, 1000), default=10, show_default=True,
              help="How many passages to return.")
@click.option("--domain", "domains", multiple=True, help="Only this source domain (repeatable).")
@click.option("--since", help="Only documents published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only documents published on or before this date (YYYY-MM-DD).")
@click.option("--language", "languages", multiple=True, help="Only this language code (repeatable).")
@click.option("--min-reliability", type=click.FloatRange(0, 1), default=None,
              help="Only sources at least this reliable (0..1).")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.pass_context
def search(ctx: click.Context, claim: str, k: int, domains: tuple[str, ...], since: str | None,
           until: str | None, languages: tuple[str, ...], min_reliability: float | None,
           as_json: bool) -> None:
    """Find the passages that bear on CLAIM (hybrid dense + BM25 retrieval)."""
    from verify.cli import open_workspace
    from verify.types import SearchFilters

    filters = SearchFilters(domains=domains, date_from=parse_date_option(since, "--since"),
                            date_to=parse_date_option(until, "--until"), languages=languages,
                            min_reliability=min_reliability)
    with open_workspace(ctx, existing=True) as ws:
        hits = ws.search(claim, k=k, filters=filters)
    if as_json:
        click.echo(json.dumps([h.to_dict() for h in hits], indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    if not hits:
        console.print("No passages matched (check the filters).")
        return
    table = Table(title=f"search: {claim}", show_lines=True)
    for name in ("#", "fused", "dense", "bm25"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("domain / date", no_wrap=True, overflow="ellipsis", max_width=24)
    table.add_column("title / passage", overflow="fold", ratio=1)
    for h in hits:
        p = h.passage
        snippet = p.text if len(p.text) <= 240 else p.text[:237] + "..."
        table.add_row(str(h.rank), f"{h.fused_score:.3f}",
                      "—" if h.dense_score is None else f"{h.dense_score:.3f}",
                      "—" if h.lexical_score is None else f"{h.lexical_score:.2f}",
                      f"{p.domain or '—'}\n{p.published_date.isoformat() if p.published_date else '—'}",
                      f"[bold]{escape(p.title or '(untitled)')}[/]\n{escape(snippet)}")
    console.print(table)


@click.command()
@click.option("--rebuild", is_flag=True, help="Rebuild from scratch (also fixes a refused index).")
@click.option("--status", "show_status", is_flag=True, help="Only report the index status.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option("--backend", default=None, metavar="NAME",
              help="Index backend: hybrid (embedded FAISS + BM25, the default) or milvus "
                   "($VERIFY_MILVUS_URI, else milvus-lite in the workspace); with --rebuild, "
                   "migrates the workspace to it.")
@click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None,
              metavar="[ADDRESS]", help="Embed on a Ray cluster (default: the one this machine "
              "joined); this process still writes the index.")
@click.pass_context
def index(ctx: click.Context, rebuild: bool, show_status: bool, as_json: bool,
          backend: str | None, ray_address: str | None) -> None:
    """Bring the index in line with the corpus, rebuild it, or show its status."""
    from verify.cli import open_workspace
    from verify.index import rebuild as rebuild_index
    from verify.index.factory import index_choice, migrate_index

    with open_workspace(ctx, existing=True) as opened:
        ws = opened
        if ray_address is not None and not show_status:
            from verify.batch.raywork import on_ray

            ws = on_ray(opened, ray_address)
        if backend is not None and backend != index_choice(ws.store) and not (rebuild and not show_status):
            raise click.UsageError(f"this workspace uses the {index_choice(ws.store)!r} index; "
                                   f"moving it to {backend!r} rebuilds it: add --rebuild")
        if backend is not None and rebuild and not show_status:
            status = migrate_index(ws, backend, progress=not as_json)
        elif show_status:
            status = ws.index_status()
        elif rebuild:
            status = rebuild_index(ws, progress=not as_json)
        else:
            status = ws.sync_index(progress=not as_json)
    if as_json:
        click.echo(json.dumps(status.to_dict(), indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="index status", show_header=False)
    for key, value in status.to_dict().items():
        table.add_row(key.replace("_", " "), str(value))
    Console().print(table)
