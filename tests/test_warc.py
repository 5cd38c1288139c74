"""WARC/ARC web archives: one document per archived HTML response, capture time and URL kept."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from verify.ingest import ingest_paths
from verify.ingest.warc import iter_archive


def page(title: str, canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f"<html><head><title>{title}</title>{link}</head><body><article><h1>{title}</h1>"
            "<p>The council approved the budget of 2.4 million for the new bridge on Monday, "
            "after a debate that lasted more than three hours.</p><p>Work is due to start "
            f"in the spring, the council's spokesperson said about {title}.</p>"
            "</article></body></html>").encode()


def write_warc(path: Path, records: list[tuple[str, str, str, bytes, str]]) -> None:
    """(url, status, content type, body, WARC-Date) responses, plus a request record."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=path.name.endswith(".gz"))
        for url, status, ctype, body, date in records:
            request = writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"))
            writer.write_record(request)
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                               http_headers=headers,
                                               warc_headers_dict={"WARC-Date": date})
            writer.write_record(record)


def test_one_document_per_archived_html_page(ws, tmp_path: Path) -> None:
    archive = tmp_path / "capture.warc.gz"
    write_warc(archive, [
        ("https://news.example.org/bridge", "200 OK", "text/html; charset=utf-8",
         page("Bridge budget"), "2021-03-04T10:00:00Z"),
        ("https://news.example.org/logo.png", "200 OK", "image/png", b"\x89PNG", "2021-03-04T10:00:01Z"),
        ("https://news.example.org/old", "301 Moved", "text/html", b"", "2021-03-04T10:00:02Z"),
        ("https://news.example.org/amp/council?x=1", "200 OK", "text/html",
         page("Council vote", canonical="https://news.example.org/council"), "2021-03-05T09:30:00Z"),
    ])
    items = list(iter_archive(archive, max_bytes=1_000_000))
    assert [i.error for i in items] == [None, None]
    first, second = (i.doc for i in items)
    assert first is not None and second is not None
    assert first.meta["original_url"] == "https://news.example.org/bridge"
    assert first.meta["capture_time"] == "2021-03-04T10:00:00Z"
    assert second.url == "https://news.example.org/council"   # the page's canonical URL
    assert second.meta["original_url"] == "https://news.example.org/amp/council?x=1"
    assert items[0].origin_key.endswith("capture.warc.gz#2021-03-04T10:00:00Z "
                                        "https://news.example.org/bridge")

    report = ingest_paths(ws, [tmp_path], progress=False, sync_index=False)
    assert (report.files, report.added, report.failed) == (1, 2, 0)
    assert report.extractors == {"trafilatura": 2}
    again = ingest_paths(ws, [archive], progress=False, sync_index=False)
    assert (again.added, again.skipped) == (0, 2)
    rows = ws.db.execute("SELECT url, title FROM documents ORDER BY url").fetchall()
    assert rows == [("https://news.example.org/bridge", "Bridge budget"),
                    ("https://news.example.org/council", "Council vote")]


def test_damaged_and_empty_archives_are_reported(ws, tmp_path: Path) -> None:
    good = tmp_path / "a.warc"
    write_warc(good, [("https://x.example.org/1", "200 OK", "text/html", page("One"),
                       "2021-01-01T00:00:00Z")])
    cut = tmp_path / "b.warc.gz"
    write_warc(cut, [(f"https://x.example.org/{n}", "200 OK", "text/html", page(f"Page {n}"),
                      "2021-01-01T00:00:00Z") for n in (2, 3, 4)])
    cut.write_bytes(cut.read_bytes()[:-200])
    images = tmp_path / "c.warc"
    write_warc(images, [("https://x.example.org/i.png", "200 OK", "image/png", b"PNG",
                         "2021-01-01T00:00:00Z")])
    (tmp_path / "d.warc").write_bytes(b"this is not a web archive\n")
    report = ingest_paths(ws, [tmp_path], progress=False, sync_index=False)
    errors = {Path(e.path).name: e.reason for e in report.errors}
    assert report.added == 3, errors   # a.warc, and the two whole pages of the cut b.warc.gz
    assert set(errors) == {"c.warc", "d.warc"}, errors
    assert errors["c.warc"].startswith("no archived HTML pages")
    assert errors["d.warc"].startswith("not a WARC/ARC file")
