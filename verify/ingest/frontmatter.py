"""YAML front matter (``---`` blocks) and ``Key: value`` text headers."""

from __future__ import annotations

import re
from typing import Any

import yaml

from verify.errors import InputError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z _-]{0,30}):[ \t]*(.*)$")
HEADER_KEYS = frozenset({"title", "url", "link", "date", "published", "published_date",
                         "source", "site", "site_name", "publisher", "author", "byline",
                         "language", "lang"})


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Return (metadata, body) for Markdown with optional YAML front matter."""
    match = _FRONT.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.load(match.group(1), Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (front matter line {mark.line + 2})" if mark is not None else ""
        raise InputError(f"invalid YAML front matter{where}: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError("invalid YAML front matter: expected key: value pairs")
    return {str(k).strip().lower(): v for k, v in data.items()}, text[match.end():]


def split_text_header(text: str) -> tuple[dict[str, Any], str]:
    """Return (metadata, body) for plain text starting with ``Title: ...`` lines and a blank line."""
    lines = text.split("\n")
    meta: dict[str, Any] = {}
    for i, line in enumerate(lines):
        if not line.strip():
            if meta and i > 0:
                return meta, "\n".join(lines[i + 1:])
            return {}, text
        match = _HEADER_LINE.match(line)
        if not match or match.group(1).strip().lower().replace(" ", "_") not in HEADER_KEYS:
            return {}, text
        meta[match.group(1).strip().lower().replace(" ", "_")] = match.group(2).strip()
    return {}, text


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MD_RULE = re.compile(r"^[ \t]*([-*_])([ \t]*\1){2,}[ \t]*$", re.MULTILINE)


def strip_markdown(text: str) -> str:
    """Light Markdown clean-up: headings, links, images, bold, comments, rules."""
    text = _MD_COMMENT.sub("", text)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    return _MD_RULE.sub("", text)
