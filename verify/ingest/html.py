"""Article text and metadata from HTML: boilerplate (nav, footer, cookie banners) removed.

Example:
    >>> doc = extract_html_text("<html><body><nav>Home</nav><article><p>Hello.</p>"
    ...                         "</article></body></html>")
    >>> doc.text
    'Hello.'
"""

from __future__ import annotations

import json
import re
from typing import Any

from bs4 import BeautifulSoup, Comment, Tag

from verify.errors import InputError
from verify.ingest.models import ParsedDocument
from verify.ingest.text import clean_value, normalize_language, normalize_text, parse_date

DROP_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside",
             "form", "iframe", "svg", "canvas", "button", "input", "select", "textarea",
             "label", "dialog", "menu", "object", "embed", "video", "audio", "picture",
             "img", "figure", "link", "meta")
DROP_ROLES = {"navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog",
              "search", "menu", "menubar", "toolbar"}
BOILERPLATE = re.compile(
    r"(^|[-_ ])(cookie|consent|gdpr|banner|newsletter|subscribe|signup|share|sharing|social|"
    r"related|recommended|more-stories|most-read|comments?|advert|ads?|promo|sponsor|"
    r"skip-link|breadcrumbs?|site-header|site-footer|masthead|paywall|popup|modal|"
    r"sidebar|widget|byline-share|tags|header|footer|nav|navbar|menu|login)($|[-_ ])",
    re.IGNORECASE,
)
BLOCK_TAGS = ("p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6",
              "li", "ul", "ol", "blockquote", "pre", "table", "tr", "td", "th", "dd", "dt",
              "dl", "figcaption", "address", "hr")


def _meta(soup: BeautifulSoup, *names: str) -> str | None:
    """First non-empty <meta> content among property/name/itemprop ``names``."""
    for name in names:
        for attr in ("property", "name", "itemprop"):
            tag = soup.find("meta", attrs={attr: re.compile(rf"^{re.escape(name)}$", re.I)})
            if isinstance(tag, Tag):
                value = clean_value(tag.get("content"))
                if value:
                    return value
    return None


def _json_ld(soup: BeautifulSoup) -> dict[str, Any]:
    """The first JSON-LD object describing an article, if any."""
    for script in soup.find_all("script", attrs={"type": "application/ld+json"}):
        try:
            data = json.loads(script.string or "")
        except (ValueError, TypeError):
            continue
        items = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
        for item in items:
            if isinstance(item, dict) and "Article" in str(item.get("@type", "")):
                return item
    return {}


def _ld_name(value: Any) -> str | None:
    """A name from a JSON-LD person/organisation value."""
    if isinstance(value, list):
        names = [_ld_name(v) for v in value]
        return clean_value([n for n in names if n])
    if isinstance(value, dict):
        return clean_value(value.get("name"))
    return clean_value(value)


def _metadata(soup: BeautifulSoup) -> dict[str, Any]:
    """Title, url, date, author, language and site name from the page head."""
    ld = _json_ld(soup)
    title_tag = soup.find("title")
    canonical = soup.find("link", attrs={"rel": re.compile("canonical", re.I)})
    time_tag = soup.find("time", attrs={"datetime": True})
    html_tag = soup.find("html")
    date_raw = (_meta(soup, "article:published_time", "og:published_time", "datePublished",
                      "pubdate", "publishdate", "date", "dc.date", "dcterms.created",
                      "sailthru.date", "parsely-pub-date")
                or clean_value(ld.get("datePublished"))
                or (clean_value(time_tag.get("datetime")) if isinstance(time_tag, Tag) else None))
    return {
        "title": _meta(soup, "og:title", "twitter:title", "title", "dc.title")
        or clean_value(ld.get("headline"))
        or (clean_value(title_tag.get_text()) if isinstance(title_tag, Tag) else None),
        "url": _meta(soup, "og:url")
        or (clean_value(canonical.get("href")) if isinstance(canonical, Tag) else None)
        or clean_value(ld.get("url")),
        "date_raw": date_raw,
        "author": _meta(soup, "author", "article:author", "dc.creator", "byl", "parsely-author")
        or _ld_name(ld.get("author")),
        "language": (clean_value(html_tag.get("lang")) if isinstance(html_tag, Tag) else None)
        or _meta(soup, "og:locale", "content-language", "language", "dc.language"),
        "site_name": _meta(soup, "og:site_name", "application-name", "publisher")
        or _ld_name(ld.get("publisher")),
    }


def _is_boilerplate(tag: Tag) -> bool:
    """Whether an element looks like navigation, a banner, a share bar, etc."""
    if tag.attrs is None:
        return False
    role = str(tag.get("role") or "").lower()
    if role in DROP_ROLES:
        return True
    if str(tag.get("aria-hidden") or "").lower() == "true" or tag.has_attr("hidden"):
        return True
    classes: Any = tag.get("class") or []
    class_names = [str(c) for c in classes] if isinstance(classes, list) else [str(classes)]
    names = " ".join([*class_names, str(tag.get("id") or "")])
    return bool(names.strip()) and bool(BOILERPLATE.search(names))


def _container(soup: BeautifulSoup) -> Tag:
    """The element holding the article: the largest <article>, else <main>, else <body>."""
    articles = [a for a in soup.find_all("article") if isinstance(a, Tag)]
    if articles:
        return max(articles, key=lambda a: len(a.get_text(" ", strip=True)))
    for candidate in (soup.find("main"), soup.find(True, attrs={"role": "main"}), soup.body):
        if isinstance(candidate, Tag):
            return candidate
    return soup


def extract_html_text(html: str) -> ParsedDocument:
    """Article text (paragraph breaks kept) and metadata from an HTML page."""
    soup = BeautifulSoup(html, "lxml")
    meta = _metadata(soup)
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    for tag in [t for t in soup.find_all(True) if _is_boilerplate(t)]:
        if not tag.decomposed:
            tag.decompose()
    root = _container(soup)
    for br in root.find_all("br"):
        br.replace_with("\n")
    for block in root.find_all(BLOCK_TAGS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")
    raw = root.get_text()
    paragraphs = [" ".join(part.split()) for part in re.split(r"\n\s*\n", raw)]
    text = normalize_text("\n\n".join(p for p in paragraphs if p))
    if not text:
        raise InputError("no article text found in the HTML")
    return ParsedDocument(
        text=text,
        title=meta["title"],
        url=meta["url"],
        published_date=parse_date(meta["date_raw"]),
        author=meta["author"],
        language=normalize_language(meta["language"]),
        source_name=meta["site_name"],
        meta={k: v for k, v in meta.items() if v},
    )
