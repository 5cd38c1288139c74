"""The passage cap holds whatever the script (issue 20, item 9).

A 4,400-character Chinese article used to become one passage and a 5 MB text without
spaces one 5.2 M-character passage: the cap counted words, and these have none.
Now every passage is also capped by characters (``MAX_CHARS``).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from verify.ingest.passages import MAX_CHARS, MAX_WORDS, make_passages

ZH_SENTENCE = "伊斯兰国呼罗珊省自2017年以来在巴基斯坦杀害了338名平民，当地官员周二表示。"


def _check_spans(text: str, spans: list[tuple[int, int]], max_chars: int = MAX_CHARS) -> None:
    assert spans, "a non-empty text has passages"
    last_start = -1
    for start, end in spans:
        assert 0 <= start < end <= len(text)
        assert start > last_start, "passages go forward"
        last_start = start
        piece = text[start:end]
        assert len(piece) <= max_chars, f"passage of {len(piece)} characters"
        assert len(piece.split()) <= MAX_WORDS
        assert piece == piece.strip()
    # Every non-space character lies in some passage: nothing is dropped by the cut.
    covered = bytearray(len(text))
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))


def test_chinese_article_is_split_by_characters() -> None:
    text = ZH_SENTENCE * 110  # about 4,400 characters, no spaces
    assert len(text) > 4000 and " " not in text
    spans = make_passages(text)
    _check_spans(text, spans)
    assert len(spans) >= len(text) // MAX_CHARS
    # Cuts prefer the end of a Chinese sentence.
    assert all(text[s:e].endswith(("。", "，")) for s, e in spans[:-1])


def test_five_megabyte_spaceless_blob_is_capped() -> None:
    text = "ab" * 2_600_000  # 5.2 M characters, one "word"
    spans = make_passages(text)
    assert max(e - s for s, e in spans) == MAX_CHARS
    assert len(spans) == -(-len(text) // MAX_CHARS)
    assert spans[0] == (0, MAX_CHARS) and spans[-1][1] == len(text)


def test_long_words_and_urls_in_latin_text_are_capped() -> None:
    url = "https://example.com/" + "segment/" * 400
    text = f"See {url} for the figures. The toll rose to 338. " * 3
    spans = make_passages(text)
    _check_spans(text, spans)


def test_a_cut_never_strands_a_combining_mark() -> None:
    text = ("e\u0301" * 700)  # 1,400 code points: each base letter with its accent
    spans = make_passages(text, max_chars=101)
    _check_spans(text, spans, max_chars=101)
    for start, _end in spans:
        assert not unicodedata.combining(text[start])


def test_english_passages_are_unchanged() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(10))
    spans = make_passages(text, target_sentences=3)
    assert [text[s:e].count(".") for s, e in spans] == [3, 3, 3, 3, 2]


def test_ingest_stores_no_passage_over_the_cap(tmp_path: Path, ws) -> None:
    (tmp_path / "zh.txt").write_text(ZH_SENTENCE * 110, encoding="utf-8")
    (tmp_path / "blob.txt").write_text("x" * 300_000, encoding="utf-8")
    report = ws.ingest([tmp_path], sync_index=False, progress=False)
    assert report.added == 2, report
    longest, count = ws.db.execute(
        "SELECT max(length(text)), count(*) FROM passages").fetchone()
    assert longest <= MAX_CHARS
    assert count >= 300_000 // MAX_CHARS + (len(ZH_SENTENCE) * 110) // MAX_CHARS
