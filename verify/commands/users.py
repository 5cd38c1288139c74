"""``verify users``: who may use the workspace through `verify serve`, and their roles."""

from __future__ import annotations

import json

import click

from verify.users import ROLES


@click.group()
def users() -> None:
    """Add, list and remove the users of `verify serve` (API tokens, roles).

    Roles: reader (read), checker (+ check, review, audit), editor (+ rate sources,
    ingest, remove documents), admin (+ users, server folders under the desk roots).
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES, case_sensitive=False), required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the user and token as JSON.")
@click.pass_context
def add(ctx: click.Context, name: str, role: str, as_json: bool) -> None:
    """Add a user and print their API token (shown once; only its hash is kept)."""
    from verify.cli import open_workspace

    with open_workspace(ctx) as ws:
        user, token = ws.users.add(name, role, by="cli")
    if as_json:
        click.echo(json.dumps({**user.to_dict(), "token": token}, ensure_ascii=False))
        return
    click.echo(f"added {user.name} ({user.role}); their API token, shown only now:")
    click.echo(token)


@users.command("password")
@click.argument("name")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The new password (asked for when not given; at least 8 characters).")
@click.pass_context
def password(ctx: click.Context, name: str, password: str) -> None:
    """Give a user a password for the desk's sign-in (ends their current logins)."""
    from verify.cli import open_workspace

    with open_workspace(ctx) as ws:
        user = ws.users.set_password(name, password, by="cli")
    click.echo(f"{user.name} can now sign in to the desk with their password")


@users.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_users(ctx: click.Context, as_json: bool) -> None:
    """List users and their roles (never their tokens)."""
    from verify.cli import open_workspace

    with open_workspace(ctx, existing=True) as ws:
        people = ws.users.list_users()
    if as_json:
        click.echo(json.dumps([u.to_dict() for u in people], ensure_ascii=False, indent=2))
        return
    if not people:
        click.echo("no users yet; add one with `verify users add NAME --role admin`")
    for u in people:
        created = u.created_at.strftime("%Y-%m-%d %H:%M") if u.created_at else ""
        click.echo(f"{u.name:<24} {u.role:<8} token vfy_{u.token_id}_…  {created}")


@users.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Remove a user; their token stops working."""
    from verify.cli import open_workspace

    with open_workspace(ctx, existing=True) as ws:
        user = ws.users.remove(name, by="cli")
    click.echo(f"removed {user.name} ({user.role})")
