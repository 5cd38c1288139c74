"""A workspace on a `verify serve` server: the desk's remote mode.

:class:`RemoteWorkspace` offers the part of :class:`verify.Workspace` the desk's pages use
(check, review, History, audits, sources, the corpus) over the server's HTTP API, as the
user whose token it holds, and returns the same dataclasses. What the user's role does not
allow fails with :class:`verify.errors.PermissionDeniedError` (the server's 403), an unknown
token with :class:`verify.errors.AuthenticationError`; a server that cannot be reached, or
whose writer lock is busy, with :class:`ServerUnavailableError`.

Example:
    from verify.client import RemoteWorkspace

    with RemoteWorkspace.login("http://127.0.0.1:8765", token="vfy_...") as ws:
        ws.check("IS-K killed 338 civilians in Pakistan since 2017").verdict
        # -> 'SUPPORTED'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import time
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from verify.errors import (
    AuthenticationError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    VerifyError,
)
from verify.types import CheckResult, Reliability, SearchFilters, SearchHit

if typing.TYPE_CHECKING:
    import httpx

    from verify.archive.models import Match
    from verify.audit.models import AuditResult
    from verify.index.base import IndexStatus
    from verify.ingest.models import CorpusStats, IngestReport
    from verify.sources.models import RatingEvent, SourceSummary, SourceView, Suggestion
    from verify.users import User

log = logging.getLogger(__name__)

ENV_SERVER = "VERIFY_SERVER"
T = TypeVar("T")
_DATE_KEYS = frozenset({"created_at", "finished_at", "started_at", "ingested_at", "valid_from",
                        "valid_to", "decided_at"})


class ServerUnavailableError(VerifyError):
    """The server could not be reached, or its writer lock stayed busy (HTTP 503)."""

    hint = "check that `verify serve` runs at the configured address, then retry"


class RemoteJobError(VerifyError):
    """A background job on the server (an ingest, an audit, an import) failed."""


def server_url(value: str | None = None) -> str | None:
    """The server to use: ``value``, else ``$VERIFY_SERVER``; None when neither is set.

    >>> server_url("http://127.0.0.1:8765/")
    'http://127.0.0.1:8765'
    """
    url = (value if value is not None else os.environ.get(ENV_SERVER, "")).strip()
    if not url:
        return None
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"{ENV_SERVER}: {url!r} is not an http(s) URL",
                         hint="e.g. VERIFY_SERVER=http://127.0.0.1:8765")
    return url.rstrip("/")


# ---- JSON back to dataclasses ------------------------------------------------------------
def from_jsonable(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` (a dataclass, a tuple, a date...) from its JSON form.

    The inverse of :func:`verify.types.to_jsonable` for the library's typed results.

    >>> from verify.types import Reliability
    >>> from_jsonable(Reliability, {"domain": "a.org", "value": 0.5, "explanation": "x",
    ...                             "parts": [["set", 0.5, 1.0]]}).parts
    (('set', 0.5, 1.0),)
    """
    if data is None or tp is Any:
        return data
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        for option in options:
            try:
                return from_jsonable(option, data)
            except (TypeError, ValueError, KeyError):
                continue
        return data
    if origin is typing.Literal:
        return data
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_jsonable(args[0], v) for v in data)
        if args:
            return tuple(from_jsonable(a, v) for a, v in zip(args, data, strict=False))
        return tuple(data)
    if origin is list:
        return [from_jsonable(args[0] if args else Any, v) for v in data]
    if origin is dict:
        value_type = args[1] if len(args) == 2 else Any
        return {k: from_jsonable(value_type, v) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(data, dict):
            raise TypeError(f"{tp.__name__} needs an object, got {type(data).__name__}")
        hints = _field_types(tp)
        values = {f.name: from_jsonable(hints.get(f.name, Any), data[f.name])
                  for f in dataclasses.fields(tp) if f.init and f.name in data}
        return tp(**values)
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(data) if isinstance(data, str) else data
    if tp is dt.date:
        return dt.date.fromisoformat(data[:10]) if isinstance(data, str) else data
    if tp is float:
        return float(data)
    if tp is int and not isinstance(data, bool):
        return int(data)
    return data


def _field_types(tp: type) -> dict[str, Any]:
    """A dataclass's field types, also when its module imports some only for type checking
    (those are looked up in the loaded ``verify`` modules; unknown ones become Any)."""
    import sys

    local: dict[str, Any] = {}
    for _ in range(20):
        try:
            return typing.get_type_hints(tp, localns=local)
        except NameError as exc:
            name = getattr(exc, "name", None)
            found = next((getattr(m, name) for key, m in list(sys.modules.items())
                          if name and key.startswith("verify") and m is not None
                          and isinstance(getattr(m, name, None), type)), None)
            if name is None or name in local:
                break
            local[name] = found if found is not None else Any
    return {f.name: Any for f in dataclasses.fields(tp)}


def _row(data: dict[str, Any]) -> dict[str, Any]:
    """A listing row with its timestamps as datetimes (as the library returns them)."""
    out = dict(data)
    for key in _DATE_KEYS & out.keys():
        if isinstance(out[key], str):
            try:
                out[key] = dt.datetime.fromisoformat(out[key])
            except ValueError:
                pass
    if isinstance(out.get("published_date"), str):
        out["published_date"] = dt.date.fromisoformat(out["published_date"][:10])
    return out


def _filters(filters: SearchFilters | None) -> dict[str, Any] | None:
    """SearchFilters as the API's JSON."""
    if filters is None or filters.is_empty():
        return None
    return {"domains": list(filters.domains), "languages": list(filters.languages),
            "date_from": filters.date_from.isoformat() if filters.date_from else None,
            "date_to": filters.date_to.isoformat() if filters.date_to else None,
            "min_reliability": filters.min_reliability}


def _is_url(value: str) -> bool:
    """Whether an audit input is a web address rather than a file."""
    return value.lower().startswith(("http://", "https://"))


ProgressCallback = Callable[..., None]


class RemoteWorkspace:
    """The desk's view of a workspace served by `verify serve`, as one user.

    ``url``: the server (``http://host:port``); ``token``: the user's API token (or log in
    with :meth:`login`); ``client``: an ``httpx.Client`` to use instead of a new one (tests
    pass FastAPI's ``TestClient``). Its methods mirror :class:`verify.Workspace`'s.
    """

    path: Path | None = None  # nothing of the workspace lies on the desk's disk

    def __init__(self, url: str, token: str, *, client: httpx.Client | None = None,
                 timeout_s: float = 600.0, job_poll_s: float = 0.25) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.job_poll_s = job_poll_s
        self._own_client = client is None
        if client is None:
            import httpx

            client = httpx.Client(base_url=self.url, timeout=timeout_s)
        self._client = client
        self._user: User | None = None
        self._sources: RemoteSourceBook | None = None

    @classmethod
    def login(cls, url: str, *, token: str | None = None, name: str | None = None,
              password: str | None = None, client: httpx.Client | None = None) -> RemoteWorkspace:
        """Log in with a token, or with a name and password (``POST /login``); returns the
        workspace as that user, or raises AuthenticationError."""
        if token is None or not token.strip():
            if not (name and name.strip()) or not password:
                raise AuthenticationError("give your user name and password, or an API token")
            probe = cls(url, "", client=client)
            answer = probe._request("POST", "/login", json={"name": name.strip(),
                                                              "password": password})
            token = str(answer["token"])
            ws = cls(url, token, client=probe._client)
            ws._own_client = probe._own_client
        else:
            ws = cls(url, token.strip(), client=client)
        user = ws.me()
        if name and name.strip() and user.name != name.strip():
            ws.close()
            raise AuthenticationError(f"this token belongs to {user.name}, not {name.strip()}")
        return ws

    # ---- HTTP ------------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call; JSON back, or the server's error as a domain exception."""
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = self._client.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise ServerUnavailableError(f"the server {self.url} could not be reached: "
                                         f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 400:
            raise self._error(response)
        if response.status_code == 204 or not response.content:
            return None
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.content

    @staticmethod
    def _error(response: httpx.Response) -> VerifyError:
        """The domain exception for an error answer."""
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = body.get("error") if isinstance(body, dict) else None
        if not message and isinstance(body, dict) and isinstance(body.get("detail"), list):
            message = "; ".join(f"{'.'.join(str(p) for p in d.get('loc', [])[1:])}: {d.get('msg')}"
                                for d in body["detail"])
        message = str(message or body.get("detail") if isinstance(body, dict) else "") or \
            f"the server answered {response.status_code}"
        status = response.status_code
        cls: type[VerifyError] = (AuthenticationError if status == 401 else
                                  PermissionDeniedError if status == 403 else
                                  NotFoundError if status == 404 else
                                  ServerUnavailableError if status >= 500 else InputError)
        exc = cls(message)
        hint = body.get("hint") if isinstance(body, dict) else None
        if hint:
            exc.hint = str(hint)
        return exc

    def _job(self, job: dict[str, Any], progress_callback: ProgressCallback | None) -> Any:
        """Wait for a background job, reporting its progress; its result, or RemoteJobError."""
        job_id = job["job_id"]
        while True:
            if progress_callback is not None and job.get("total"):
                progress_callback(job.get("done") or 0, job.get("total"), job.get("message") or "")
            if job["status"] == "done":
                return job.get("result") or {}
            if job["status"] == "failed":
                raise RemoteJobError(f"the server's {job.get('kind', 'job')} failed: "
                                     f"{job.get('error') or 'no reason given'}")
            time.sleep(self.job_poll_s)
            job = self._request("GET", f"/jobs/{job_id}")

    @staticmethod
    def _files(paths: Iterable[Path]) -> list[tuple[str, tuple[str, bytes]]]:
        """Multipart parts for local files (a folder: every file under it)."""
        parts: list[tuple[str, tuple[str, bytes]]] = []
        for path in paths:
            items = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for item in items:
                if not item.is_file():
                    raise InputError(f"{item}: no such file")
                parts.append(("files", (item.name, item.read_bytes())))
        return parts

    # ---- who ---------------------------------------------------------------------------------
    def me(self) -> User:
        """The user this workspace acts as (``GET /me``)."""
        from verify.users import User

        if self._user is None:
            self._user = from_jsonable(User, self._request("GET", "/me"))
        return self._user

    @property
    def user(self) -> User:
        """The logged-in user."""
        return self.me()

    def logout(self) -> None:
        """End this login on the server (a session token from a password login)."""
        if self.token.startswith("vfy_s"):
            self._request("POST", "/logout")

    def close(self) -> None:
        """Close the HTTP connection (if this object opened it)."""
        if self._own_client:
            self._client.close()

    def __enter__(self) -> RemoteWorkspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- checks ------------------------------------------------------------------------------
    def check(self, claim: str, *, k: int | None = None, filters: SearchFilters | None = None,
              save: bool = True) -> CheckResult:
        """Verify one claim on the server (saved to History as this user unless ``save``)."""
        from verify.checks.records import result_from_dict

        body = {"claim": claim, "k": k, "filters": _filters(filters), "save": save}
        return result_from_dict(self._request("POST", "/check", json=body))

    def search(self, claim: str, k: int = 10, filters: SearchFilters | None = None) -> list[SearchHit]:
        """Passages that bear on ``claim``."""
        rows = self._request("POST", "/search", json={"claim": claim, "k": k,
                                                       "filters": _filters(filters)})
        return [from_jsonable(SearchHit, r) for r in rows]

    def match(self, claim: str, k: int = 5, *, min_score: float = 0.0) -> list[Match]:
        """Earlier fact-checks that may have checked ``claim``."""
        from verify.archive.models import Match

        rows = self._request("POST", "/match", json={"claim": claim, "k": k,
                                                      "min_score": min_score})
        return [from_jsonable(Match, r) for r in rows]

    def load_check(self, check_id: str) -> CheckResult:
        """Reopen a saved check."""
        from verify.checks.records import result_from_dict

        return result_from_dict(self._request("GET", f"/checks/{quote(check_id, safe='')}"))

    def list_checks(self, query: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """History, newest first."""
        params: dict[str, Any] = {"limit": min(int(limit), 1000)}
        if query:
            params["query"] = query
        return [_row(r) for r in self._request("GET", "/checks", params=params)]

    def check_reviews(self, check_id: str) -> list[dict[str, Any]]:
        """The reviews of one check, newest first."""
        return [_row(r) for r in
                self._request("GET", f"/checks/{quote(check_id, safe='')}/reviews")]

    def review(self, check_id: str, verdict: str, reviewer: str = "", note: str = "") -> str:
        """Confirm or override a verdict; the server records this user as the reviewer
        (``reviewer`` is ignored)."""
        answer = self._request("POST", f"/checks/{quote(check_id, safe='')}/reviews",
                               json={"verdict": verdict, "note": note or ""})
        return str(answer["verdict_id"])

    def reviews(self, check_ids: Iterable[str]) -> dict[str, list[Any]]:
        """The reviews (``verify.history.Review``) of each check, newest first."""
        from verify.history import Review

        ids = list(dict.fromkeys(str(c) for c in check_ids))
        out: dict[str, list[Any]] = {c: [] for c in ids}
        for start in range(0, len(ids), 200):
            answer = self._request("GET", "/reviews", params={"check_id": ids[start:start + 200]})
            out.update({k: [from_jsonable(Review, r) for r in v] for k, v in answer.items()})
        return out

    def check_history(self, query: str | None = None, *, limit: int = 200) -> Any:
        """Past checks grouped by claim, latest first (a ``verify.history.CheckHistory``)."""
        from verify.history import CheckHistory

        params: dict[str, Any] = {"limit": limit}
        if query:
            params["query"] = query
        return from_jsonable(CheckHistory, self._request("GET", "/history", params=params))

    # ---- learned verdicts --------------------------------------------------------------------
    def learned_heads(self) -> list[dict[str, object]]:
        """Learned verdict heads on record, newest first."""
        return [_row(r) for r in self._request("GET", "/learned")["heads"]]

    def reviewed_checks(self) -> int:
        """How many checks a person has reviewed."""
        return int(self._request("GET", "/learned")["reviewed_checks"])

    def learn_verdicts(self, *, min_reviews: int | None = None,
                       activate: bool | None = None) -> Any:
        """Fit a verdict head from the reviews (editors); returns a ``HeadReport``."""
        from verify.checks.learned import HeadReport

        answer = self._request("POST", "/learned", json={"min_reviews": min_reviews,
                                                          "activate": activate})
        return from_jsonable(HeadReport, answer)

    def forget_learned_verdicts(self) -> int:
        """Switch learned heads off (editors); returns how many were on."""
        return int(self._request("DELETE", "/learned")["switched_off"])

    def import_past_verdicts(self, path: str | os.PathLike[str] | None = None, *,
                             reviewer: str | None = None, text: str | bytes | None = None,
                             name: str | None = None, progress: bool = False) -> Any:
        """Import an archive of past verdicts on the server (checkers; a job)."""
        from verify.checks.past import PastVerdictImport

        if text is None:
            if path is None:
                raise InputError("path: give a file of past verdicts")
            text, name = Path(path).read_bytes(), name or Path(path).name
        data = text.encode("utf-8") if isinstance(text, str) else text
        job = self._request("POST", "/past-verdicts", files=[("file", (name or "verdicts.csv", data))])
        return from_jsonable(PastVerdictImport, self._job(job, None))

    # ---- fact-check archive ----------------------------------------------------------------
    def archive_stats(self) -> dict[str, Any]:
        """The archive's counts (fact-checks, organisations, with a verdict, dates, imports)."""
        return _row(self._request("GET", "/archive"))

    def fact_checks(self, query: str = "", *, limit: int = 200) -> list[Any]:
        """The archive's fact-checks (``FactCheck``), newest first, filtered by ``query``."""
        from verify.archive.models import FactCheck

        rows = self._request("GET", "/archive/fact-checks",
                             params={"query": query, "limit": min(int(limit), 5000)})
        return [from_jsonable(FactCheck, r) for r in rows]

    def import_fact_checks(self, path: str | os.PathLike[str] | None = None, *,
                           text: str | bytes | None = None, name: str | None = None,
                           organisation: str | None = None, progress: bool = False) -> Any:
        """Import a file of fact-checks into the server's archive (editors; a job); returns
        an ``ArchiveImport``. A folder is imported on the server with `verify archive import`."""
        from verify.archive.models import ArchiveImport

        if text is None:
            if path is None or not Path(path).is_file():
                raise InputError(f"path: {path} is not a file; the server takes one file of "
                                 "fact-checks at a time")
            text, name = Path(path).read_bytes(), name or Path(path).name
        data = text.encode("utf-8") if isinstance(text, str) else text
        job = self._request("POST", "/archive/import",
                            files=[("file", (name or "fact-checks.json", data))],
                            data={"organisation": organisation or ""})
        return from_jsonable(ArchiveImport, self._job(job, None))

    # ---- audits ------------------------------------------------------------------------------
    def audit(self, inputs: Sequence[str | os.PathLike[str]], *,
              progress_callback: ProgressCallback | None = None,
              threshold: float | None = None, **_: Any) -> AuditResult:
        """Audit local article files and web pages on the server (checkers); waits for it."""
        urls = [str(i) for i in inputs if _is_url(str(i))]
        files = [Path(i) for i in inputs if not _is_url(str(i))]
        data: dict[str, Any] = {"urls": urls}
        if threshold is not None:
            data["threshold"] = str(threshold)
        job = self._request("POST", "/audits/uploads", files=self._files(files) or None,
                            data=data)
        result = self._job(job, progress_callback)
        return self.load_audit(str(result["audit_id"]))

    def load_audit(self, audit_id: str) -> AuditResult:
        """Reopen a saved audit."""
        from verify.audit.models import AuditResult

        data = self._request("GET", f"/audits/{quote(audit_id, safe='')}")
        data.pop("summary", None)
        return from_jsonable(AuditResult, data)  # type: ignore[no-any-return]

    def list_audits(self, limit: int = 200) -> list[dict[str, Any]]:
        """Past audits, newest first."""
        return [_row(r) for r in self._request("GET", "/audits", params={"limit": limit})]

    # ---- corpus ------------------------------------------------------------------------------
    def corpus_stats(self) -> CorpusStats:
        """Counts of documents, passages and sources."""
        from verify.ingest.models import CorpusStats

        return from_jsonable(CorpusStats, self._request("GET", "/stats"))  # type: ignore[no-any-return]

    def documents(self, query: str | None = None, *, limit: int = 50,
                  offset: int = 0) -> list[dict[str, Any]]:
        """Documents, newest first."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if query:
            params["query"] = query
        return [_row(r) for r in self._request("GET", "/documents", params=params)]

    def ingest(self, paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
               progress_callback: ProgressCallback | None = None, **_: Any) -> IngestReport:
        """Upload local files (or every file of local folders) and ingest them on the server
        (editors); waits for the job."""
        from verify.ingest.models import IngestReport

        items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
        parts = self._files(Path(p) for p in items)
        if not parts:
            raise InputError("paths: no file to ingest")
        job = self._request("POST", "/ingest/uploads", files=parts)
        return from_jsonable(IngestReport, self._job(job, progress_callback))  # type: ignore[no-any-return]

    def list_documents(self, text: str | None = None, *, sources: Sequence[str] | None = None,
                       date_from: Any = None, date_to: Any = None, limit: int = 50,
                       offset: int = 0) -> Any:
        """A page of documents with the total that match (``DocumentList``)."""
        from verify.ingest.documents import DocumentList

        params: dict[str, Any] = {"limit": limit, "offset": offset,
                                  "source": list(sources or [])}
        if text:
            params["text"] = text
        for key, value in (("date_from", date_from), ("date_to", date_to)):
            if value:
                params[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return from_jsonable(DocumentList, self._request("GET", "/documents/search",
                                                         params=params))

    def document(self, document_id: int) -> Any:
        """One document with its text, passages and origins (``DocumentView``)."""
        from verify.ingest.documents import DocumentView

        return from_jsonable(DocumentView, self._request("GET", f"/documents/{int(document_id)}"))

    def edit_document(self, document_id: int, *, dry_run: bool = False, **changes: Any) -> Any:
        """Change a document's ``url``, ``source`` and/or ``published_date`` (editors);
        ``dry_run``: what would change, nothing saved (``DocumentEdit``). Any other field is
        refused by the server (InputError naming it)."""
        from verify.ingest.documents import DocumentEdit

        body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in changes.items()}
        answer = self._request("PATCH", f"/documents/{int(document_id)}", json=body,
                               params={"dry_run": "true"} if dry_run else None)
        edit = from_jsonable(DocumentEdit, answer)
        if "published_date" in edit.changed:  # dates, as the library gives them
            edit.changed["published_date"] = tuple(
                from_jsonable(dt.date | None, v) for v in edit.changed["published_date"])
        return edit

    def unrated_sources(self, query: str | None = None) -> list[Any]:
        """Corpus sources no rating covers (``UnratedSource``), most passages first."""
        from verify.sources.unrated import UnratedSource

        params = {"query": query} if query else {}
        return [from_jsonable(UnratedSource, r)
                for r in self._request("GET", "/sources-unrated", params=params)]

    def remove(self, document: int | str) -> int:
        """Remove documents by id, origin key, path or URL (editors); passages removed."""
        answer = self._request("DELETE", f"/documents/{quote(str(document), safe='/:')}")
        return int(answer["passages_removed"])

    def index_status(self) -> IndexStatus:
        """Size, type and sync state of the server's index."""
        from verify.index.base import IndexStatus

        return from_jsonable(IndexStatus, self._request("GET", "/index"))  # type: ignore[no-any-return]

    def sync_index(self, progress: bool = False) -> IndexStatus:
        """Bring the server's index in line with its passages (editors)."""
        from verify.index.base import IndexStatus

        return from_jsonable(IndexStatus, self._request("POST", "/index/sync"))  # type: ignore[no-any-return]

    # ---- sources -----------------------------------------------------------------------------
    @property
    def sources(self) -> RemoteSourceBook:
        """The server's source book."""
        if self._sources is None:
            self._sources = RemoteSourceBook(self)
        return self._sources

    def reliability(self, domain: str | None) -> Reliability:
        """Effective reliability of a source."""
        answer = self._request("GET", "/reliability", params={"source": domain or ""})
        return from_jsonable(Reliability, answer)  # type: ignore[no-any-return]


class RemoteSourceBook:
    """The part of :class:`verify.sources.SourceBook` the desk uses, on the server."""

    def __init__(self, ws: RemoteWorkspace) -> None:
        self.ws = ws

    @staticmethod
    def _path(domain: str) -> str:
        """A source key as a URL path segment (keys may hold ``/``, e.g. ``x.com/@name``)."""
        return quote(domain.strip(), safe="/@:")

    def canonical(self, domain: str) -> str:
        """The key a source is stored under (the server follows aliases)."""
        return str(self.ws._request("GET", "/sources-canonical", params={"source": domain})["domain"])

    def list_sources(self, query: str | None = None, sort: str = "domain",
                     limit: int | None = 50) -> list[SourceSummary]:
        """Rated sources with their effective value."""
        from verify.sources.models import SourceSummary

        params: dict[str, Any] = {"sort": sort, "limit": min(limit or 5000, 5000)}
        if query:
            params["query"] = query
        return [from_jsonable(SourceSummary, r)
                for r in self.ws._request("GET", "/sources", params=params)]

    def show(self, domain: str) -> SourceView:
        """Everything about one source."""
        from verify.sources.models import SourceView

        return from_jsonable(SourceView, self.ws._request("GET", f"/sources/{self._path(domain)}"))  # type: ignore[no-any-return]

    def history(self, domain: str) -> list[RatingEvent]:
        """Every rating of a source, oldest first."""
        from verify.sources.models import RatingEvent

        rows = self.ws._request("GET", f"/sources/{self._path(domain)}/history")
        return [from_jsonable(RatingEvent, r) for r in rows]

    def rate(self, domain: str, value: float | str, *, rationale: str | None, by: str = "",
             scale: str = "0-1", label: str | None = None, **_: Any) -> RatingEvent:
        """Rate a source (editors); the server records this user as the rater (``by`` is
        ignored)."""
        from verify.sources.models import RatingEvent

        answer = self.ws._request("POST", f"/sources/{self._path(domain)}/ratings",
                                  json={"value": value, "rationale": rationale or "",
                                        "scale": scale, "label": label})
        return from_jsonable(RatingEvent, answer)  # type: ignore[no-any-return]

    def suggestions(self, refresh: bool = True, include_decided: bool = False,
                    **_: Any) -> list[Suggestion]:
        """Suggested rating changes (``refresh`` recomputes them: editors)."""
        from verify.sources.models import Suggestion

        rows = self.ws._request("GET", "/suggestions",
                                params={"refresh": refresh, "include_decided": include_decided})
        return [from_jsonable(Suggestion, r) for r in rows]

    def accept_suggestion(self, suggestion_id: int, by: str = "", note: str = "") -> RatingEvent:
        """Accept a suggestion (editors): a rating by this user."""
        from verify.sources.models import RatingEvent

        answer = self.ws._request("POST", f"/suggestions/{int(suggestion_id)}/accept",
                                  json={"note": note})
        return from_jsonable(RatingEvent, answer)  # type: ignore[no-any-return]

    def dismiss_suggestion(self, suggestion_id: int, by: str = "", note: str = "") -> Suggestion:
        """Dismiss a suggestion (editors)."""
        from verify.sources.models import Suggestion

        answer = self.ws._request("POST", f"/suggestions/{int(suggestion_id)}/dismiss",
                                  json={"note": note})
        return from_jsonable(Suggestion, answer)  # type: ignore[no-any-return]

    def import_file(self, path: str | Path, format: str, *, name: str | None = None,
                    version: str | None = None, licence: str | None = None, **_: Any) -> Any:
        """Import a rating file on the server (editors); returns an ``ImportReport``."""
        from verify.sources.models import ImportReport

        target = Path(path)
        data = {k: v for k, v in {"format": format, "name": name, "version": version,
                                  "licence": licence}.items() if v is not None}
        job = self.ws._request("POST", "/sources/import", data=data,
                               files=[("file", (target.name, target.read_bytes()))])
        return from_jsonable(ImportReport, self.ws._job(job, None))

    def export(self, path: str | Path, fmt: str = "csv") -> int:
        """Write every rating to ``path`` (csv or json); returns the bytes written."""
        body = self.ws._request("GET", "/sources/export", params={"format": fmt})
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        Path(path).write_bytes(data)
        return len(data)


def open_remote(url: str, token: str, **options: Any) -> RemoteWorkspace:
    """A :class:`RemoteWorkspace` (a shorthand for the desk)."""
    return RemoteWorkspace(url, token, **options)


__all__ = ["ENV_SERVER", "RemoteJobError", "RemoteSourceBook", "RemoteWorkspace",
           "ServerUnavailableError", "from_jsonable", "open_remote", "server_url"]
