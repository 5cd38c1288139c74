"""Parsers for rating files: generic CSV, Lin et al. 2023, MBFC (mbfcext JSON), Lasser et al.

The domain column may hold a domain, a platform account (``x.com/@handle``), a host
without a public suffix or a full URL (reduced to its key); see docs/sources.md.

Each parser reads a whole file and returns the good rows plus an issue per bad or
skipped row, with its line (CSV) or record (JSON) number. Nothing is written here.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verify.csvsafe import restore_cell
from verify.errors import InputError
from verify.sources.keys import parse_source
from verify.sources.models import ImportIssue
from verify.sources.scales import MBFC_CREDIBILITY, MBFC_REPORTING, lasser_value, normalise


@dataclass(frozen=True)
class ParsedRating:
    """One good row: a domain's rating on some scale, normalised."""

    line: int
    domain: str
    scale: str
    raw_value: str
    reliability: float
    label: str | None
    rationale: str | None
    name: str | None = None


@dataclass
class Parsed:
    """The outcome of parsing one file."""

    rows: list[ParsedRating] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    rows_read: int = 0
    method: str = ""


@dataclass(frozen=True)
class FormatInfo:
    """A supported format: its parser, default set name, licence and attribution."""

    parse: Callable[[Path, bool], Parsed]
    default_name: str | None
    licence: str | None
    attribution: str | None


class _Collector:
    """Accumulates rows and issues, de-duplicating domains within one file."""

    def __init__(self, unit: str = "line") -> None:
        self.out = Parsed()
        self.unit = unit
        self.seen: dict[str, int] = {}

    def reject(self, line: int, field_name: str | None, reason: str) -> None:
        if field_name and reason.startswith(f"{field_name}: "):
            reason = reason[len(field_name) + 2:]
        self.out.issues.append(ImportIssue(f"{self.unit} {line}", line, field_name, reason, "rejected"))

    def skip(self, line: int, field_name: str | None, reason: str) -> None:
        self.out.issues.append(ImportIssue(f"{self.unit} {line}", line, field_name, reason, "skipped"))

    def domain(self, line: int, raw: Any, field_name: str = "domain") -> str | None:
        """The source key of a row (domain, account, host or reduced URL), or None after
        recording why the row is not kept."""
        text = "" if raw is None else str(raw)
        if not text.strip():
            self.reject(line, field_name, "missing domain")
            return None
        try:
            parsed = parse_source(text, allow_path=True)
            if not parsed.path:
                parse_source(text)   # the bare-word rule
        except InputError as exc:
            self.reject(line, field_name, str(exc))
            return None
        if parsed.path and parsed.platform and parsed.key == parsed.platform:
            self.skip(line, field_name, f"{text.strip()!r} names no account on {parsed.platform}, "
                                         "not the whole platform")
            return None
        if parsed.path and not parsed.url:
            self.skip(line, field_name, f"{text.strip()!r} rates a page or section of "
                                         f"{parsed.key}, not the whole domain")
            return None
        if parsed.key in self.seen:
            self.skip(line, field_name, f"duplicate of {self.unit} {self.seen[parsed.key]} "
                                         f"({parsed.key})")
            return None
        return parsed.key

    def keep(self, row: ParsedRating) -> None:
        self.seen[row.domain] = row.line
        self.out.rows.append(row)


def _csv_rows(path: Path, required: tuple[tuple[str, ...], ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row by lower-cased header) for a CSV file; InputError for a bad header."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError(f"{path}: empty file") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: line 1: {exc}") from None
        names = [h.strip().lower() for h in header]
        missing = [alts[0] for alts in required if not any(a in names for a in alts)]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)} "
                             f"(found: {', '.join(names) or 'none'})")
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise InputError(f"{path}: line {reader.line_num}: {exc}") from None
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                yield reader.line_num, {"__error__": f"expected {len(names)} fields, found {len(row)}"}
                continue
            # restore_cell: a rating file the project exported reads back as it was rated
            yield reader.line_num, dict(zip(names, (restore_cell(c) for c in row), strict=True))


def _pick(row: dict[str, str], *names: str) -> str:
    for name in names:
        if name in row:
            return (row[name] or "").strip()
    return ""


def parse_generic(path: Path, in_house: bool = False) -> Parsed:
    """CSV with columns domain, rating, and optional scale, label, rationale."""
    col = _Collector()
    col.out.method = "generic-csv"
    for line, row in _csv_rows(path, (("domain", "url", "source"), ("rating", "value", "score"))):
        col.out.rows_read += 1
        if "__error__" in row:
            col.reject(line, None, row["__error__"])
            continue
        domain = col.domain(line, _pick(row, "domain", "url", "source"))
        if domain is None:
            continue
        raw = _pick(row, "rating", "value", "score")
        scale = _pick(row, "scale") or "0-1"
        rationale = _pick(row, "rationale", "note", "notes") or None
        if not raw:
            col.reject(line, "rating", "missing rating")
            continue
        try:
            value = normalise(scale, raw, field="rating")
        except InputError as exc:
            col.reject(line, "scale" if str(exc).startswith("scale") else "rating", str(exc))
            continue
        if in_house and not rationale:
            col.reject(line, "rationale", "an in-house rating needs a rationale")
            continue
        col.keep(ParsedRating(line, domain, scale, raw, value, _pick(row, "label") or None, rationale))
    return col.out


def parse_lin2023(path: Path, in_house: bool = False) -> Parsed:
    """Lin et al. 2023 aggregate: columns domain, pc1 (0..1)."""
    col = _Collector()
    col.out.method = "lin2023-pc1"
    for line, row in _csv_rows(path, (("domain",), ("pc1",))):
        col.out.rows_read += 1
        if "__error__" in row:
            col.reject(line, None, row["__error__"])
            continue
        domain = col.domain(line, row.get("domain"))
        if domain is None:
            continue
        raw = (row.get("pc1") or "").strip()
        if not raw:
            col.reject(line, "pc1", "missing pc1")
            continue
        try:
            value = normalise("0-1", raw, field="pc1")
        except InputError as exc:
            col.reject(line, "pc1", str(exc))
            continue
        col.keep(ParsedRating(line, domain, "0-1", raw, value, None,
                              "Lin et al. 2023 aggregate domain quality (pc1)"))
    return col.out


def parse_lasser(path: Path, in_house: bool = False) -> Parsed:
    """Lasser et al. list: url, accuracy (1-5), transparency (1-3), type, label, source."""
    col = _Collector()
    col.out.method = "lasser-accuracy-transparency"
    for line, row in _csv_rows(path, (("url", "domain"), ("accuracy",), ("transparency",))):
        col.out.rows_read += 1
        if "__error__" in row:
            col.reject(line, None, row["__error__"])
            continue
        domain = col.domain(line, _pick(row, "url", "domain"), "url")
        if domain is None:
            continue
        accuracy, transparency = _pick(row, "accuracy"), _pick(row, "transparency")
        try:
            value = lasser_value(accuracy, transparency, field="")
        except InputError as exc:
            field_name = "transparency" if "transparency" in str(exc) else "accuracy"
            col.reject(line, field_name, str(exc).lstrip(" "))
            continue
        kind = _pick(row, "type") or None
        what = _pick(row, "label")
        listed = _pick(row, "source")
        when = _pick(row, "last_update")
        rationale = "; ".join(p for p in (what, f"listed by {listed} ({when})" if listed else "") if p)
        col.keep(ParsedRating(line, domain, "lasser", f"{accuracy}/{transparency}", value, kind,
                              rationale or None))
    return col.out


def parse_mbfc(path: Path, in_house: bool = False) -> Parsed:
    """MBFC JSON from the mbfcext browser extension: a list of records (record numbers 1-based)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from None
    if isinstance(data, dict):  # some dumps key the records by domain
        data = list(data.values()) if all(isinstance(v, dict) for v in data.values()) else None
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON list of MBFC records")
    col = _Collector("record")
    col.out.method = "mbfc-factual-reporting"
    for number, rec in enumerate(data, start=1):
        col.out.rows_read += 1
        if not isinstance(rec, dict):
            col.reject(number, None, "record is not a JSON object")
            continue
        domain = col.domain(number, rec.get("domain"))
        if domain is None:
            continue
        reporting = str(rec.get("reporting") or "").strip().lower()
        credibility = str(rec.get("credibility") or "").strip().lower()
        if reporting:
            if reporting not in MBFC_REPORTING:
                col.reject(number, "reporting", f"unknown factual-reporting label {reporting!r}")
                continue
            scale, raw = "mbfc", reporting
        elif credibility in MBFC_CREDIBILITY:
            scale, raw = "mbfc-credibility", credibility
        else:
            col.skip(number, "reporting", "no factual-reporting or credibility rating")
            continue
        flags = rec.get("questionable") or []
        bias = rec.get("bias")
        bits = [f"MBFC factual reporting: {reporting or 'n/a'}", f"credibility: {credibility or 'n/a'}"]
        if bias:
            bits.append(f"bias: {bias}")
        if isinstance(flags, list) and flags:
            bits.append("flags: " + ", ".join(str(f) for f in flags))
        if rec.get("url"):
            bits.append(str(rec["url"]))
        name = rec.get("name")
        col.keep(ParsedRating(number, domain, scale, raw, normalise(scale, raw), raw,
                              "; ".join(bits), str(name).strip() if name else None))
    return col.out


LIN_ATTRIBUTION = ("Lin, H. et al. (2023). High level of correspondence across different news "
                   "domain quality rating sets. PNAS Nexus. Data: github.com/hauselin/"
                   "domain-quality-ratings")
FORMATS: dict[str, FormatInfo] = {
    "generic": FormatInfo(parse_generic, None, None, None),
    "lin2023": FormatInfo(parse_lin2023, "lin2023", 'reuse permitted by the authors ("feel free to reuse")',
                          LIN_ATTRIBUTION),
    "mbfc": FormatInfo(parse_mbfc, "mbfc", "MIT (mbfcext extension); ratings by Media Bias/Fact Check",
                       "Media Bias/Fact Check (mediabiasfactcheck.com), via github.com/drmikecrowe/mbfcext"),
    "lasser": FormatInfo(parse_lasser, "lasser", "CC BY-SA 4.0",
                         "Lasser, J. et al. (2022). Social media sharing of low quality news sources "
                         "by political elites. PNAS Nexus. Data: github.com/JanaLasser/"
                         "misinformation_domains"),
}


def parse_file(path: Path, fmt: str, in_house: bool = False) -> Parsed:
    """Parse ``path`` as ``fmt``; InputError for an unknown format or unreadable file."""
    info = FORMATS.get(fmt)
    if info is None:
        raise InputError(f"format: unknown format {fmt!r} (one of: {', '.join(FORMATS)})")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return info.parse(path, in_house)
