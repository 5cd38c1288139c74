"""Spreadsheet-safe CSV: every CSV the project writes goes through :func:`safe_writer`.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or
the full-width ``＝ ＋ － ＠`` that some spreadsheets also read as formulas) is opened by a
spreadsheet as a formula ("CSV injection"). Such a cell is written with a leading
apostrophe, which spreadsheets show as text; numbers, dates and ``None`` (an empty cell)
are left as they are. :func:`restore_cell` undoes it when the project reads a CSV back.

Example:
    >>> safe_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> safe_cell(-0.5), safe_cell(None), safe_cell("plain")
    (-0.5, '', 'plain')
    >>> restore_cell(safe_cell("-2"))
    '-2'
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet will not run: formula-like text gets a ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Every cell of a row through :func:`safe_cell`."""
    return [safe_cell(v) for v in values]


def restore_cell(text: str) -> str:
    """Undo :func:`safe_cell` on a cell read back from a CSV the project wrote."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


class SafeWriter:
    """A ``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, handle: IO[str], **fmtparams: Any) -> None:
        self._writer = csv.writer(handle, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(handle: IO[str], **fmtparams: Any) -> SafeWriter:
    """The CSV writer for everything the project writes (see the module docstring)."""
    return SafeWriter(handle, **fmtparams)
