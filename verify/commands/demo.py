"""``verify demo``: build the demo workspace and check the sample claims."""

from __future__ import annotations

import json
from typing import Any

import click


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable results.")
@click.pass_context
def demo(ctx: click.Context, as_json: bool) -> None:
    """Ingest the demo corpus (first run only) and verify the sample claims."""
    from rich.console import Console
    from rich.table import Table

    from verify.demo import ensure_demo_workspace, run_demo

    console = Console(stderr=True)
    console.print("[bold]Building the demo workspace[/] (first run embeds the corpus)...")
    with ensure_demo_workspace(ctx.find_root().obj["workspace"], progress=True) as ws:
        results = run_demo(ws)
        if as_json:
            click.echo(json.dumps([r.to_dict() for r in results], indent=2))
            return
        table = Table(title=f"verify demo — workspace {ws.path}")
        table.add_column("claim", overflow="fold")
        table.add_column("verdict")
        table.add_column("confidence", justify="right")
        table.add_column("best evidence", overflow="fold")
        for r in results:
            top = next((e for e in r.evidence if e.passage.passage_id in r.decisive_passage_ids),
                       r.evidence[0] if r.evidence else None)
            where = f"{top.passage.domain}: {_snippet(top)}" if top else "—"
            table.add_row(r.claim, r.verdict, f"{r.confidence:.2f}", where)
        Console().print(table)
        console.print("Try: verify check \"your claim\"  ·  streamlit run app.py")


def _snippet(evidence: Any, width: int = 90) -> str:
    """The passage around its first aligned figure or matching span."""
    text = evidence.passage.text
    anchors = [a.evidence_span[0] for a in evidence.alignments if a.evidence_span]
    anchors += [start for start, _ in evidence.spans]
    start = max(0, min(anchors[0] - 30, len(text) - width)) if anchors else 0
    return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")
