"""Source keys: domains, platform accounts and suffix-less hosts can all be rated and ingested."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from verify.cli import cli, main
from verify.errors import InputError
from verify.sources import SourceBook
from verify.sources.keys import parse_source, source_key
from verify.sources.platforms import (
    BUILTIN_PLATFORMS,
    ENV_PLATFORMS,
    AccountPattern,
    Platform,
    register_platform,
    reset_platforms,
)


@pytest.fixture
def book(ws):
    """The workspace's source book without the shipped seed (controlled values)."""
    ws._sources = SourceBook(ws.store, ws.settings, seed=False)
    return ws.sources


def run(tmp_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--workspace", str(tmp_path / "ws"), "sources", *args])


# ---- the bug: these were refused ("not a domain (unknown top-level domain)") ----------------
@pytest.mark.parametrize("key", ["x.com/@someone", "wiki.intranet", "10.0.0.5", "news.example"])
def test_accounts_and_suffixless_hosts_can_be_rated(book, key: str) -> None:
    event = book.rate(key, 0.3, rationale="desk review", by="ana")
    assert event.domain == key
    rel = book.reliability(key)
    assert rel.value == pytest.approx(0.3) and rel.domain == key and rel.applied_key == key


@pytest.mark.parametrize("key", ["x.com/@someone", "wiki.intranet", "10.0.0.5", "news.example"])
def test_cli_rate_accepts_accounts_and_hosts(tmp_path: Path, key: str) -> None:
    result = run(tmp_path, "rate", key, "0.3", "--rationale", "desk review", "--by", "ana")
    assert result.exit_code == 0, result.output
    assert f"rated {key} 0.30" in result.output


# ---- keys ------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, key, kind", [
    ("https://x.com/somehandle/status/123", "x.com/@somehandle", "account"),
    ("https://twitter.com/SomeHandle/status/123", "x.com/@somehandle", "account"),
    ("mobile.twitter.com/@SomeHandle", "x.com/@somehandle", "account"),
    ("x.com/@someone", "x.com/@someone", "account"),
    ("https://www.youtube.com/@SomeChannel/videos", "youtube.com/@somechannel", "account"),
    ("youtube.com/c/SomeChannel", "youtube.com/@somechannel", "account"),
    ("https://youtube.com/channel/UCabcdefghijklmnopqrstuV", "youtube.com/channel/UCabcdefghijklmnopqrstuV",
     "account"),
    ("https://t.me/s/SomeChannel/42", "t.me/@somechannel", "account"),
    ("telegram.me/somechannel", "t.me/@somechannel", "account"),
    ("https://www.facebook.com/SomePage/posts/1", "facebook.com/@somepage", "account"),
    ("https://author.substack.com/p/a-post", "author.substack.com", "account"),
    ("https://medium.com/@Author/a-post-123", "medium.com/@author", "account"),
    ("https://author.medium.com/a-post-123", "medium.com/@author", "account"),
    ("https://www.instagram.com/SomeName/", "instagram.com/@somename", "account"),
    ("https://www.tiktok.com/@SomeName/video/1", "tiktok.com/@somename", "account"),
    ("https://name.blogspot.com/2020/01/x.html", "name.blogspot.com", "account"),
    ("name.blogspot.co.uk", "name.blogspot.co.uk", "account"),
    ("https://name.wordpress.com/2020/01/x/", "name.wordpress.com", "account"),
    ("reddit.com/r/Politics", "reddit.com/r/politics", "account"),
    ("twitter.com", "x.com", "domain"),
    ("news.bbc.co.uk", "news.bbc.co.uk", "domain"),
    ("https://www.Reuters.com", "reuters.com", "domain"),
    ("https://www.bbc.co.uk/news/world-1", "bbc.co.uk", "domain"),
    ("wiki.intranet", "wiki.intranet", "host"),
    ("http://docs.wiki.intranet:8080/page", "docs.wiki.intranet", "host"),
    ("localhost", "localhost", "host"),
    ("http://intranet/", "intranet", "host"),
    ("10.0.0.5", "10.0.0.5", "host"),
    ("http://[2001:db8::1]:8000/x", "2001:db8::1", "host"),
    ("news.example", "news.example", "host"),
    ("site.test", "site.test", "host"),
    ("a.localhost", "a.localhost", "host"),
])
def test_rating_keys_for_domains_accounts_and_hosts(text: str, key: str, kind: str) -> None:
    parsed = parse_source(text)
    assert (parsed.key, parsed.kind) == (key, kind)
    assert parse_source(key, allow_path=True).key == key            # a key parses to itself
    if "." in key or ":" in key or key == "localhost":              # (a bare word needs http://)
        assert parse_source(key).key == key


@pytest.mark.parametrize("url, key", [
    ("https://x.com/somehandle/status/123", "x.com/@somehandle"),
    ("https://x.com/home", "x.com"),                       # a page of the platform, no account
    ("https://www.youtube.com/watch?v=abc", "youtube.com"),
    ("https://youtu.be/abcdef", "youtube.com"),             # a short link names no account
    ("https://news.bbc.co.uk/world", "bbc.co.uk"),          # documents: the registrable domain
    ("https://a.example.com/1", "example.com"),
    ("https://support.substack.com/hc", "substack.com"),    # a reserved subdomain is no account
    ("http://docs.wiki.intranet/x", "docs.wiki.intranet"),
    ("http://192.168.1.20/page", "192.168.1.20"),
    ("http://[::1]:8000/page", "::1"),
    ("not a url at all", None),
    ("", None),
])
def test_document_source_keys(url: str, key: str | None) -> None:
    assert source_key(url) == key


@pytest.mark.parametrize("text, message", [
    ("not a domain", "contains spaces"),
    ("youtube.com/watch?v=abc", "names no account on youtube.com"),
    ("https://x.com/i/lists/1", "names no account on x.com"),
    ("epsilon-post.com/opinion", "page or section"),
    ("Reuters", "bare word"),
    ("-bad-.com", "not a domain, account, host or URL"),
    ("999.1.1", "not a domain, account, host or URL"),
    ("", "empty source"),
])
def test_things_that_are_no_source_are_refused_with_a_reason(book, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        book.rate(text, 0.5, rationale="fine", by="ana")
    assert str(info.value).startswith("source: ")


def test_every_builtin_platform_key_round_trips() -> None:
    for platform in BUILTIN_PLATFORMS:
        assert parse_source(platform.key).key == platform.key, platform.key
        for host in platform.hosts:
            if not host.endswith(".*"):
                assert parse_source(host).key == platform.key, host


# ---- effective reliability: account > platform > prior ---------------------------------------
def test_an_account_falls_back_to_its_platform_and_its_own_rating_overrides(book) -> None:
    prior = book.reliability("x.com/@someone")
    assert prior.applied_key == "" and "or its platform x.com" in prior.explanation
    book.rate("x.com", 0.4, rationale="platform average", by="ana")
    rel = book.reliability("https://twitter.com/SomeOne/status/9")
    assert rel.value == pytest.approx(0.4)
    assert (rel.domain, rel.applied_key) == ("x.com/@someone", "x.com")
    assert rel.explanation.startswith("x.com/@someone: no rating of its own; platform x.com: 0.40 from in-house:ana")
    book.rate("https://x.com/someone", 0.9, rationale="verified newsroom account", by="ana")
    rel = book.reliability("x.com/@someone")
    assert (rel.value, rel.domain, rel.applied_key) == (pytest.approx(0.9), "x.com/@someone", "x.com/@someone")
    assert book.reliability("x.com/@someone-else").value == pytest.approx(0.4)
    assert book.reliability("twitter.com").value == pytest.approx(0.4)       # twitter.com is x.com
    assert [e.domain for e in book.history("twitter.com/SOMEONE")] == ["x.com/@someone"]


def test_subdomain_accounts_fall_back_to_the_platform(book) -> None:
    book.rate("blogspot.com", 0.6, rationale="mixed", by="ana")
    book.rate("good.blogspot.com", 0.9, rationale="named author", by="ana")
    assert book.reliability("https://good.blogspot.com/2020/x.html").value == pytest.approx(0.9)
    other = book.reliability("https://other.blogspot.com/2020/x.html")
    assert (other.value, other.domain, other.applied_key) == (pytest.approx(0.6), "other.blogspot.com",
                                                              "blogspot.com")


def test_hosts_without_a_public_suffix_get_the_prior_and_cover_their_subhosts(book, ws) -> None:
    rel = book.reliability("http://wiki.intranet/page")
    assert rel.value == ws.settings.reliability_prior and rel.applied_key == ""
    book.rate("wiki.intranet", 0.95, rationale="our own wiki", by="ana")
    assert book.reliability("docs.wiki.intranet").value == pytest.approx(0.95)
    assert book.reliability("docs.wiki.intranet").applied_key == "wiki.intranet"
    assert book.reliability("10.0.0.6").value == ws.settings.reliability_prior


def test_domains_behave_as_before(book) -> None:
    book.rate("bbc.co.uk", 0.85, rationale="public broadcaster", by="ana")
    rel = book.reliability("sport.bbc.co.uk")
    assert (rel.domain, rel.applied_key, rel.value) == ("bbc.co.uk", "bbc.co.uk", pytest.approx(0.85))


def test_an_account_can_be_an_alias_of_an_outlet(book) -> None:
    book.rate("bbc.co.uk", 0.85, rationale="public broadcaster", by="ana")
    assert book.add_alias("bbc.co.uk", "https://twitter.com/BBCWorld") == "bbc.co.uk"
    assert book.reliability("x.com/@bbcworld").value == pytest.approx(0.85)
    with pytest.raises(InputError, match="^alias: "):
        book.add_alias("bbc.co.uk", "youtube.com/watch?v=1")


# ---- import ------------------------------------------------------------------------------------
def test_import_accepts_accounts_hosts_and_urls_and_names_bad_lines(book, ws, tmp_path: Path) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text(
        "domain,rating,scale,label,rationale\n"
        "x.com/@someone,0.2,0-1,,fabricated quotes\n"                # 2 account key
        "https://twitter.com/Other/status/5,0.3,0-1,,satire\n"     # 3 URL -> x.com/@other
        "wiki.intranet,0.9,0-1,,our wiki\n"                         # 4 intranet host
        "10.0.0.5,0.7,0-1,,internal feed\n"                         # 5 IP address
        "news.example,0.5,0-1,,test outlet\n"                       # 6 reserved test name
        "https://www.epsilon-post.com/opinion/x.html,0.6,0-1,,\n"   # 7 URL -> epsilon-post.com
        "twitter.com/someone,0.1,0-1,,\n"                           # 8 duplicate of line 2
        "youtube.com/watch?v=abc,0.4,0-1,,\n"                       # 9 no account: skipped
        "Reuters,0.9,0-1,,\n"                                       # 10 bare word: rejected
        "has space.com,0.9,0-1,,\n",                                # 11 garbage: rejected
        encoding="utf-8")
    report = book.import_file(path, "generic")
    stored = dict(ws.db.execute("SELECT domain, reliability FROM ratings").fetchall())
    assert stored == pytest.approx({"x.com/@someone": 0.2, "x.com/@other": 0.3, "wiki.intranet": 0.9,
                                    "10.0.0.5": 0.7, "news.example": 0.5, "epsilon-post.com": 0.6})
    rejected = {i.line: i for i in report.errors}
    skipped = {i.line: i for i in report.skipped}
    assert sorted(rejected) == [10, 11] and sorted(skipped) == [8, 9]
    assert str(rejected[10]).startswith("line 10, field domain:") and "bare word" in rejected[10].reason
    assert "duplicate of line 2" in skipped[8].reason
    assert "names no account on youtube.com" in skipped[9].reason


def test_cli_import_and_a_clear_error_for_a_bad_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text("domain,rating\nt.me/somechannel,0.2\nnot a domain,0.5\n", encoding="utf-8")
    result = run(tmp_path, "import", str(path), "--format", "generic")
    assert result.exit_code == 1, result.output  # one row rejected: partial (README, Exit codes)
    assert "imported 1 of 2 rows" in result.output and "line 3, field domain" in result.output
    shown = run(tmp_path, "show", "https://t.me/s/SomeChannel", "--json")
    assert shown.exit_code == 0 and json.loads(shown.output)["domain"] == "t.me/@somechannel"
    with pytest.raises(SystemExit) as exited:
        main(["--workspace", str(tmp_path / "ws"), "sources", "rate", "youtube.com/watch?v=1", "0.3",
              "--rationale", "x", "--by", "ana"])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and err.count("\n") == 1
    assert err.startswith("error: source: 'youtube.com/watch?v=1' names no account on youtube.com")
    ok = run(tmp_path, "rate", "https://twitter.com/Someone/status/1", "0.3", "--rationale", "x", "--by", "ana")
    assert ok.exit_code == 0 and "rated x.com/@someone 0.30" in ok.output and "account on x.com" in ok.output


# ---- ingest, rekey, search filters -------------------------------------------------------------
ROWS = [
    {"text": "A post by a handle. It has two sentences.", "url": "https://x.com/somehandle/status/123"},
    {"text": "The same handle on twitter.com. Second sentence.", "url": "https://twitter.com/SomeHandle/status/7"},
    {"text": "Another account posted this. Second sentence.", "url": "https://x.com/another/status/9"},
    {"text": "A page of the platform itself. Second sentence.", "url": "https://x.com/i/lists/5"},
    {"text": "An intranet wiki page. Second sentence.", "url": "http://docs.wiki.intranet/page"},
    {"text": "A feed on an address. Second sentence.", "url": "http://10.0.0.5/feed"},
    {"text": "A blog post on blogspot. Second sentence.", "url": "https://name.blogspot.com/2020/x.html"},
    {"text": "A news story. Second sentence.", "url": "https://news.bbc.co.uk/world/1"},
]


def _ingest(ws, tmp_path: Path) -> dict[str, str]:
    from verify.ingest import ingest_paths

    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n", encoding="utf-8")
    report = ingest_paths(ws, [path], progress=False, sync_index=False)
    assert report.failed == 0 and report.added == len(ROWS)
    return dict(ws.db.execute(
        "SELECT d.url, s.domain FROM documents d JOIN sources s USING (source_id)").fetchall())


def test_ingest_credits_documents_to_accounts_and_hosts(ws, tmp_path: Path) -> None:
    keys = _ingest(ws, tmp_path)
    assert [keys[r["url"]] for r in ROWS] == [
        "x.com/@somehandle", "x.com/@somehandle", "x.com/@another", "x.com", "docs.wiki.intranet",
        "10.0.0.5", "name.blogspot.com", "bbc.co.uk"]
    from verify.retrieval import fetch_passages

    ids = [r[0] for r in ws.db.execute("SELECT passage_id FROM passages ORDER BY passage_id").fetchall()]
    assert fetch_passages(ws, ids[:1])[ids[0]].domain == "x.com/@somehandle"


def test_rekey_moves_documents_ingested_under_the_platform(ws, tmp_path: Path) -> None:
    _ingest(ws, tmp_path)
    old = ws.db.execute("INSERT INTO sources (domain) VALUES ('old-key') RETURNING source_id").fetchone()[0]
    ws.db.execute("UPDATE documents SET source_id = ? WHERE url LIKE 'https://x.com/%'", [old])
    assert [m[2] for m in ws.sources.rekey_documents(dry_run=True)] == \
        ["x.com/@somehandle", "x.com/@another", "x.com"]
    assert len(ws.sources.rekey_documents()) == 3
    assert ws.sources.rekey_documents() == []
    assert dict(ws.db.execute("SELECT url, s.domain FROM documents JOIN sources s USING (source_id) "
                              "WHERE url LIKE 'https://x.com/%'").fetchall())[ROWS[0]["url"]] == "x.com/@somehandle"


@pytest.mark.parametrize("domains, urls", [
    (("x.com",), [0, 1, 2, 3]),                # a platform includes its accounts
    (("twitter.com",), [0, 1, 2, 3]),
    (("x.com/@somehandle",), [0, 1]),          # an account only itself
    (("https://twitter.com/SomeHandle",), [0, 1]),
    (("blogspot.com",), [6]),
    (("wiki.intranet",), [4]),                 # a host includes its sub-hosts
    (("10.0.0.5",), [5]),
    (("news.bbc.co.uk",), [7]),
    (("x.co",), []),                           # no prefix matches across labels
])
def test_domain_filters_include_the_accounts_of_a_platform(ws, tmp_path: Path, domains, urls) -> None:
    from verify.retrieval import allowed_passage_ids
    from verify.types import SearchFilters

    _ingest(ws, tmp_path)
    allowed = set(allowed_passage_ids(ws, SearchFilters(domains=domains)).tolist())
    got = {url for (url,) in ws.db.execute(
        "SELECT DISTINCT d.url FROM passages p JOIN documents d USING (document_id) "
        "WHERE p.passage_id IN (SELECT unnest(?::BIGINT[]))", [sorted(allowed)]).fetchall()}
    assert got == {ROWS[i]["url"] for i in urls}


# ---- extending the platform table ------------------------------------------------------------
@pytest.fixture
def clean_platforms():
    yield
    reset_platforms(forget_registered=True)


def test_register_platform_adds_accounts(clean_platforms) -> None:
    assert source_key("https://gab.com/SomeOne/posts/1") == "gab.com"
    register_platform(Platform("gab.com", paths=(
        AccountPattern(r"^@?(?P<account>[a-z0-9_]{1,30})(?:/|$)", "gab.com/@{account}"),),
        reserved=frozenset({"home", "search"})))
    assert source_key("https://gab.com/SomeOne/posts/1") == "gab.com/@someone"
    assert source_key("https://gab.com/search?q=x") == "gab.com"
    with pytest.raises(InputError, match="account"):
        register_platform(Platform("bad.example", paths=(AccountPattern(r"^(?P<name>\w+)"),)))


def test_a_platforms_file_named_by_the_environment(clean_platforms, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "platforms.toml"
    path.write_text(
        '[[platform]]\nkey = "social.example.org"\nhosts = ["m.social.example.org"]\n'
        '[[platform.paths]]\nregex = \'^users/(?P<account>\\w+)\'\nkey = "{platform}/@{account}"\n',
        encoding="utf-8")
    monkeypatch.setenv(ENV_PLATFORMS, str(path))
    reset_platforms()
    assert source_key("https://m.social.example.org/users/Ana/1") == "social.example.org/@ana"
    path.write_text('[[platform]]\nkey = "x.example.org"\n[[platform.paths]]\nregex = "(unclosed"\n',
                    encoding="utf-8")
    reset_platforms()
    with pytest.raises(InputError, match=r"platform #1: .*paths\[0\]\.regex"):
        source_key("https://x.example.org/a")


def test_keys_use_the_one_registrable_domain_rule() -> None:
    """keys.py takes domains.py's rule and its regexes; the two agree on every domain that
    is no platform (platform accounts such as name.blogspot.com are keyed by keys.py)."""
    import verify.sources.domains as domains
    import verify.sources.keys as keys

    assert (keys._WWW, keys._SPACE, keys._PATH_START) == (domains._WWW, domains._SPACE,
                                                         domains._PATH_START)
    for url in ("https://news.bbc.co.uk/world", "http://www2.ons.gov.uk/x", "gov.uk",
                "https://a.b.c.example.com.au/p?q=1", "www.city.kawasaki.jp", "bücher.de"):
        assert keys.source_key(url) == domains.registrable_domain(url), url
