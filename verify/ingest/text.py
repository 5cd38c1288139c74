"""Byte decoding, text clean-up and metadata value parsing shared by the readers."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from verify.errors import InputError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y",
                 "%B %d %Y", "%b %d %Y", "%Y%m%d", "%a, %d %b %Y %H:%M:%S %z",
                 "%a, %d %b %Y %H:%M:%S %Z")
_T = TypeVar("_T")


def decode_bytes(data: bytes) -> str:
    """Decode text: UTF-8 (with or without BOM), else clean Windows-1252; else InputError."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("undecodable text: bad UTF-16") from None
    if b"\x00" in data[:65536] or b"\x00" in data[-65536:]:
        raise InputError("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(
                f"undecodable text: not UTF-8 (bad byte at offset {exc.start}) "
                "and not Windows-1252") from None
        if _CONTROL.search(text):
            raise InputError(
                f"undecodable text: not UTF-8 (bad byte at offset {exc.start}) and "
                "contains control characters as Windows-1252") from None
        return text
    if len(_CONTROL.findall(text[:65536])) > 8:
        raise InputError("binary file (control characters), not text")
    return text


def decode_named(data: str | bytes, name: str, error: type[InputError] = InputError) -> str:
    """``data`` as text (bytes decoded by :func:`decode_bytes`), or ``error`` naming ``name``."""
    if isinstance(data, str):
        return data
    try:
        return decode_bytes(data)
    except InputError as exc:
        raise error(f"{name}: {exc}") from None


def read_folder(folder: Path, suffixes: Sequence[str],
                read: Callable[[str, str], tuple[list[_T], list[str]]]) -> tuple[list[_T], list[str]]:
    """``read(text, name)`` over every file under ``folder`` (recursively, sorted) whose
    suffix is one of ``suffixes``: the rows and problem lines of them all. A file that
    cannot be read (``InputError``) is one problem line and the others go on."""
    rows: list[_T] = []
    problems: list[str] = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes):
        try:
            found, issues = read(decode_named(file.read_bytes(), str(file)), str(file))
        except InputError as exc:
            problems.append(str(exc))
            continue
        rows += found
        problems += issues
    return rows, problems


def json_records(data: Any) -> list[Any]:
    """The records in a JSON document, whatever wraps them: lists, a JSON-LD ``@graph``, a
    schema.org ItemList or DataFeed, a Fact Check Tools answer (``{"claims": [...]}``).

    Example:
        >>> json_records({"@graph": [{"itemListElement": [{"item": {"a": 1}}]}]})
        [{'a': 1}]
    """
    if isinstance(data, list):
        return [x for item in data for x in json_records(item)]
    if isinstance(data, dict):
        if "@graph" in data:
            return json_records(data["@graph"])
        for wrapper in ("itemListElement", "dataFeedElement"):
            if wrapper in data:
                return json_records([e.get("item", e) if isinstance(e, dict) else e
                                     for e in data[wrapper]])
        if isinstance(data.get("claims"), list) and not data.get("claimReview"):
            return json_records(data["claims"])
    return [data]


def json_lines(text: str) -> Iterator[tuple[int, Any, str]]:
    """``(line number, value, "")`` for each non-blank line of JSON-lines ``text``, or
    ``(line number, None, problem)`` for a line that is not JSON.

    >>> list(json_lines('{"a": 1}\\n\\n[2'))
    [(1, {'a': 1}, ''), (3, None, "Expecting ',' delimiter (column 3)")]
    """
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line), ""
        except json.JSONDecodeError as exc:
            yield number, None, f"{exc.msg} (column {exc.colno})"


def normalize_text(text: str) -> str:
    """Unify newlines and spaces, drop control and zero-width characters, trim."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", _CONTROL.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def clean_value(value: Any) -> str | None:
    """A metadata value as a trimmed one-line string, or None when empty."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value if v is not None)
    text = " ".join(str(value).split())
    return text or None


def date_or_text(value: Any) -> dt.date | str | None:
    """``value`` as a date when it is one (a datetime's day), None when empty, else its
    trimmed text (to be parsed)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return str(value).strip()


def strptime_date(text: str, formats: Sequence[str] = _DATE_FORMATS) -> dt.date | None:
    """The date ``text`` is written as in the first of ``formats`` that reads it, or None.

    >>> strptime_date("14 January 2020")
    datetime.date(2020, 1, 14)
    """
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_date(value: Any) -> dt.date | None:
    """A publication date from ISO strings, datetimes or common written forms."""
    text = date_or_text(value)
    if not isinstance(text, str):
        return text
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    found = strptime_date(text)
    if found is not None:
        return found
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return None


def normalize_language(value: Any) -> str | None:
    """``en-GB`` / ``en_US`` / ``EN`` -> ``en``."""
    text = clean_value(value)
    if not text:
        return None
    primary = re.split(r"[-_;, ]", text.lower())[0]
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
