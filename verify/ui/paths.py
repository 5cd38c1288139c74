"""Which server paths the desk may read: only those under the configured roots.

The desk's *Folder path* tabs (Audit, Corpus) take a path typed by whoever has
the page open, and the server process reads it. So the desk reads nothing on
the server unless ``$VERIFY_DESK_ROOTS`` names folders (see
:func:`verify.config.desk_roots`), and then only a path that, with every
symlink followed, lies inside one of them. A folder is also refused when a
symlink inside it leads out of the roots, since the library's folder walk
would read through it.

Example:
    resolve_desk_path("/srv/articles/2020", roots=(Path("/srv/articles"),))
    # -> PosixPath('/srv/articles/2020')
    resolve_desk_path("/etc/passwd", roots=(Path("/srv/articles"),))
    # -> Traceback (most recent call last):
    # -> DeskPathError: /etc/passwd was not read: it is outside the folders the desk may read ...
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from verify.config import ENV_DESK_ROOTS, desk_roots
from verify.errors import InputError

log = logging.getLogger(__name__)

OFF_MESSAGE = (f"Reading folders on the server is off. Set {ENV_DESK_ROOTS}=/path1{os.pathsep}"
               "/path2 to allow folders under those roots.")
MAX_LINKS_NAMED = 3


class DeskPathError(InputError):
    """A path typed into the desk that the desk will not read."""

    hint = (f"the desk reads server folders only under {ENV_DESK_ROOTS}; upload the files "
            "instead, or ask whoever runs the desk to add a root")


def roots_label(roots: Sequence[Path]) -> str:
    """The allowed roots as one line for the page."""
    return "Folders the desk may read: " + ", ".join(str(r) for r in roots) + "."


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    """True when ``path`` is one of ``roots`` or below one (component-wise, not by prefix)."""
    return any(path == root or path.is_relative_to(root) for root in roots)


def _resolve(candidate: Path, shown: str) -> Path:
    """``candidate.resolve()`` (symlinks followed); a bad path becomes a DeskPathError."""
    try:
        return candidate.resolve()
    except (OSError, RuntimeError, ValueError) as exc:
        raise DeskPathError(f"{shown} was not read: it cannot be resolved ({exc})") from exc


def _outside(shown: str, roots: Sequence[Path]) -> DeskPathError:
    """The refusal for a path that resolves outside every root."""
    return DeskPathError(f"{shown} was not read: it is outside the folders the desk may read "
                         f"({', '.join(str(r) for r in roots)})")


def escaping_links(folder: Path, roots: Sequence[Path]) -> list[tuple[Path, Path]]:
    """Symlinks under ``folder`` (not followed) whose targets lie outside ``roots``."""
    found: list[tuple[Path, Path]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in [*dirnames, *filenames]:
            entry = Path(dirpath) / name
            if not entry.is_symlink():
                continue
            try:
                target = entry.resolve()
            except (OSError, RuntimeError, ValueError):
                found.append((entry, entry))  # a loop or a broken chain: refuse it too
                continue
            if not _inside(target, roots):
                found.append((entry, target))
    return found


def resolve_desk_path(text: str, roots: Sequence[Path] | None = None) -> Path:
    """The resolved server path for ``text`` if the desk may read it, else DeskPathError.

    ``roots`` defaults to :func:`verify.config.desk_roots` (none unless configured).
    A relative path is looked up under each root in turn. The path is resolved with
    symlinks followed before it is compared with the roots, so ``..`` and links
    cannot leave them, and it is refused before its existence is tested, so the
    desk does not tell whether a file outside the roots exists.
    """
    shown = (text or "").strip()
    if not shown:
        raise DeskPathError("Enter a folder or file path first.")
    allowed = tuple(desk_roots() if roots is None else roots)
    if not allowed:
        raise DeskPathError(f"{shown} was not read: reading folders on the server is off.",
                            hint=f"set {ENV_DESK_ROOTS}=/path1{os.pathsep}/path2 to allow "
                                 "folders under those roots, or upload the files instead")
    allowed = tuple(_resolve(Path(r), str(r)) for r in allowed)
    if "\x00" in shown:
        raise DeskPathError(f"{shown!r} was not read: the path holds a NUL character")
    typed = Path(shown).expanduser()
    candidates = [typed] if typed.is_absolute() else [root / typed for root in allowed]
    for candidate in candidates:
        resolved = _resolve(candidate, shown)
        if not _inside(resolved, allowed):
            log.warning("desk refused %s (resolves to %s, outside the desk roots)", shown, resolved)
            raise _outside(shown, allowed)
        if not resolved.exists():
            continue
        if resolved.is_dir():
            links = escaping_links(resolved, allowed)
            if links:
                named = "; ".join(f"{link} -> {target}" for link, target in
                                  links[:MAX_LINKS_NAMED])
                more = f" and {len(links) - MAX_LINKS_NAMED} more" if len(links) > \
                    MAX_LINKS_NAMED else ""
                log.warning("desk refused %s: %d link(s) lead out of the desk roots",
                            shown, len(links))
                raise DeskPathError(f"{shown} was not read: it holds links to files outside "
                                    f"the folders the desk may read ({named}{more})")
        return resolved
    where = "" if typed.is_absolute() else f" under {', '.join(str(r) for r in allowed)}"
    raise DeskPathError(f"{shown} does not exist on the server{where}; check the path and retry",
                        hint="paths are read on the server that runs the desk, not on your "
                             "computer; to send files from your computer, upload them")
