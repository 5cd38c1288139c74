"""Bad input for every format: reported with path and reason (and line), the batch goes on,
nothing already stored is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verify.errors import InputError
from verify.ingest import ingest_paths, read_article
from verify.ingest.text import decode_bytes

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4
BAD_ENCODING = b"Caf\xe9 text with an undefined byte \x81 and \x9d here."  # neither UTF-8 nor cp1252
GOOD = "---\ntitle: Good\nurl: https://good.example.com/a\n---\nA fine document. It has two sentences.\n"


def run(ws, paths, **kw):
    return ingest_paths(ws, [Path(p) for p in paths], progress=False, sync_index=False, **kw)


def reasons(report) -> dict[str, list[tuple[str | None, str]]]:
    out: dict[str, list[tuple[str | None, str]]] = {}
    for issue in report.errors:
        out.setdefault(Path(issue.path).name, []).append((issue.location, issue.reason))
    return out


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".htm", ".pdf", ".jsonl", ".csv"])
def test_binary_empty_and_bad_encoding_for_every_format(ws, tmp_path: Path, suffix: str) -> None:
    (tmp_path / f"binary{suffix}").write_bytes(PNG)
    (tmp_path / f"empty{suffix}").write_bytes(b"")
    (tmp_path / f"encoding{suffix}").write_bytes(BAD_ENCODING)
    (tmp_path / "good.md").write_text(GOOD)
    report = run(ws, [tmp_path])
    got = reasons(report)
    assert report.added == 1, "the good file is stored despite the bad ones"
    assert set(got) == {f"binary{suffix}", f"empty{suffix}", f"encoding{suffix}"}
    assert report.failed == 3
    assert "empty" in got[f"empty{suffix}"][0][1]
    if suffix == ".pdf":
        assert all("PDF" in r for r in [got[f"binary{suffix}"][0][1], got[f"encoding{suffix}"][0][1]])
    else:
        assert "binary" in got[f"binary{suffix}"][0][1]
        assert "undecodable" in got[f"encoding{suffix}"][0][1] or "JSON" in got[f"encoding{suffix}"][0][1]
    stored = ws.db.execute("SELECT count(*) FROM ingest_errors WHERE run_id = ?", [report.run_id]).fetchone()[0]
    assert stored == 3


def test_windows_1252_text_is_accepted() -> None:
    assert decode_bytes("Café naïve – “quoted”".encode("cp1252")) == "Café naïve – “quoted”"
    assert decode_bytes("\ufeffBOM text".encode()) == "BOM text"
    with pytest.raises(InputError, match="undecodable"):
        decode_bytes(BAD_ENCODING)
    with pytest.raises(InputError, match="binary"):
        decode_bytes(PNG)


def test_jsonl_bad_rows_are_reported_with_line_numbers(ws, tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": "Row one is fine.", "url": "https://r.example.com/1"}),
        '{"text": "broken json", ',
        "",
        json.dumps({"title": "no text here"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "   "}),
        json.dumps({"text": "Row seven is fine too.", "url": "https://r.example.com/7"}),
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = run(ws, [path])
    assert report.added == 2
    got = reasons(report)["rows.jsonl"]
    assert [loc for loc, _ in got] == ["2", "4", "5", "6"]
    assert "malformed JSON" in got[0][1]
    assert "'text' is missing" in got[1][1]
    assert "JSON object" in got[2][1]
    assert "'text' is empty" in got[3][1]
    assert str(report.errors[0]).endswith(f"rows.jsonl:2: {got[0][1]}")


def test_csv_missing_text_and_ragged_rows(ws, tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "title,url,text\n"
        "Good,https://c.example.com/1,A good row.\n"
        "No text,https://c.example.com/2,\n"
        'Multi,https://c.example.com/3,"A row that spans\ntwo lines."\n'
        "Ragged,https://c.example.com/4,text,extra\n"
        "Also good,https://c.example.com/5,Another good row.\n")
    report = run(ws, [path])
    assert report.added == 3
    got = reasons(report)["rows.csv"]
    assert got[0] == ("3", "text field 'text' is missing")
    assert got[1][0] == "6" and "more fields" in got[1][1]
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("title,body\nx,y\n")
    report = run(ws, [nocol])
    assert report.failed == 1 and "no 'text' column" in report.errors[0].reason


def test_oversize_files_and_lines_with_a_small_limit(ws, tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("word " * 1000)
    (tmp_path / "big.html").write_text("<p>" + "word " * 1000 + "</p>")
    (tmp_path / "rows.jsonl").write_text(
        json.dumps({"text": "small row."}) + "\n" + json.dumps({"text": "x" * 5000}) + "\n"
        + json.dumps({"text": "another small row."}) + "\n")
    (tmp_path / "rows.csv").write_text("text\nsmall\n" + "y" * 5000 + "\nalso small\n")
    report = run(ws, [tmp_path], max_bytes=2000)
    got = reasons(report)
    assert "too large" in got["big.txt"][0][1] and "too large" in got["big.html"][0][1]
    assert got["rows.jsonl"] == [("2", "line too long (over 2,000 bytes)")]
    assert got["rows.csv"][0][0] == "3" and "too long" in got["rows.csv"][0][1]
    assert report.added == 4


def test_a_real_50_mb_single_line(ws, tmp_path: Path) -> None:
    line = b"a" * (50 * 1024 * 1024)
    (tmp_path / "huge.txt").write_bytes(line)
    (tmp_path / "huge.jsonl").write_bytes(b'{"text": "' + line + b'"}\n{"text": "A short row after it."}\n')
    report = run(ws, [tmp_path])
    got = reasons(report)
    assert "too large" in got["huge.txt"][0][1]
    assert got["huge.jsonl"][0][0] == "1" and "too long" in got["huge.jsonl"][0][1]
    assert report.added == 1, "the row after the huge line is still read"


def test_corrupt_pdf_and_bad_front_matter(tmp_path: Path) -> None:
    pdf = tmp_path / "corrupt.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer garbage")
    with pytest.raises(InputError, match="PDF"):
        read_article(pdf)
    md = tmp_path / "bad.md"
    md.write_text("---\ntitle: [unclosed\nurl: x\n---\nBody.\n")
    with pytest.raises(InputError, match="front matter"):
        read_article(md)
    nothing = tmp_path / "blank.html"
    nothing.write_text("<html><body><nav>Only navigation</nav></body></html>")
    with pytest.raises(InputError, match="no article text"):
        read_article(nothing)


def test_stored_documents_survive_a_later_bad_version(ws, tmp_path: Path) -> None:
    good = tmp_path / "a.md"
    good.write_text(GOOD)
    (tmp_path / "b.txt").write_text("Title: B\nURL: https://b.example.com/b\n\nSecond document text.\n")
    assert run(ws, [tmp_path]).added == 2
    before = ws.db.execute("SELECT document_id, text FROM documents ORDER BY 1").fetchall()
    passages = ws.db.execute("SELECT count(*) FROM passages").fetchone()[0]
    good.write_bytes(PNG)  # the file is now broken
    report = run(ws, [tmp_path])
    assert (report.failed, report.skipped, report.added, report.updated) == (1, 1, 0, 0)
    assert ws.db.execute("SELECT document_id, text FROM documents ORDER BY 1").fetchall() == before
    assert ws.db.execute("SELECT count(*) FROM passages").fetchone()[0] == passages


def test_missing_paths_and_unsupported_types(ws, tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / ".hidden.md").write_text(GOOD)
    (tmp_path / "README.md").write_text(GOOD)
    (tmp_path / "ok.md").write_text(GOOD)
    report = run(ws, [tmp_path, tmp_path / "missing.md", tmp_path / "notes.docx"])
    assert report.added == 1
    assert [Path(i.path).name for i in report.ignored] == ["notes.docx"]
    got = reasons(report)
    assert got["missing.md"][0][1] == "no such file or folder"
    assert "unsupported file type .docx" in got["notes.docx"][0][1]
    assert report.files == 1
