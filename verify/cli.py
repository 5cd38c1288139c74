"""Command-line adapter: parse input, call one public function, format output.

Example:
    $ verify ingest corpus/demo
    $ verify search "IS-K killed 338 civilians" --json
    $ verify check "IS-K killed 338 civilians in Pakistan since 2017"
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import sys
from typing import Any

import click

from verify.errors import VerifyError

COMMANDS: dict[str, str] = {
    "demo": "verify.commands.demo:demo",
    "ingest": "verify.commands.corpus:ingest",
    "remove": "verify.commands.corpus:remove",
    "stats": "verify.commands.corpus:stats",
    "index": "verify.commands.search:index",
    "search": "verify.commands.search:search",
    "check": "verify.commands.check:check",
    "review": "verify.commands.check:review",
    "learn": "verify.commands.check:learn",
    "import-verdicts": "verify.commands.check:import_verdicts",
    "sources": "verify.commands.sources:sources",
    "audit": "verify.commands.audit:audit",
    "match": "verify.commands.match:match",
    "archive": "verify.commands.match:archive",
    "serve": "verify.commands.serve:serve",
    "users": "verify.commands.users:users",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        return getattr(importlib.import_module(module_name), attr)  # type: ignore[no-any-return]


@click.group(cls=LazyGroup)
@click.option("--workspace", "-w", envvar="VERIFY_WORKSPACE", default=None,
              help="Workspace name (letters, digits, _ . -; lives under $VERIFY_HOME) or an "
                   "explicit folder path (absolute, or starting ./ ../ ~/). Default: demo.")
@click.option("--verbose", "-v", count=True, help="More logging (-v warnings, -vv info, -vvv debug).")
@click.version_option(package_name="verify-claims")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None, verbose: int) -> None:
    """verify: check claims against a corpus of sources, weighted by source reliability."""
    # Problems the library reports are echoed by the commands themselves, so the
    # default shows only errors; -v adds warnings, -vv info, -vvv debug.
    level = logging.ERROR - 10 * min(verbose, 3)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"workspace": workspace}


def parse_date_option(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option value, or a clean usage error naming the option."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2020-08-03", param_hint=option) from None


def open_workspace(ctx: click.Context, *, existing: bool = False, **kwargs: Any) -> Any:
    """Open the workspace selected on the command line.

    ``existing=True`` is for commands that read (stats, search, check, index, sources
    list/show/export, ...): a workspace that is not there is an error naming it and the
    existing ones, never a new empty workspace.
    """
    from verify import Workspace

    return Workspace.open(ctx.find_root().obj["workspace"], create=not existing, **kwargs)


# Exit codes (README, "Exit codes"): 0 all done; 1 partial: some inputs (files, rows,
# claims) failed and were reported, the rest were done; 2 error: nothing was done (a domain
# error, a usage error, or every input failed); 130 interrupted.
EXIT_OK, EXIT_PARTIAL, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def exit_for_batch(done: int, failed: int) -> None:
    """End a batch command with the README's code: 2 when every input failed, 1 when some did."""
    if failed and not done:
        sys.exit(EXIT_ERROR)
    if failed:
        sys.exit(EXIT_PARTIAL)


def main(argv: list[str] | None = None) -> None:
    """Entry point: domain errors become one clean line, never a traceback."""
    try:
        cli.main(args=argv, prog_name="verify", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except VerifyError as exc:
        click.echo(f"error: {exc.user_message()}", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except OSError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
