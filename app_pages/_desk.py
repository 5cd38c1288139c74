"""Streamlit glue for the desk: opening the workspace per run and friendly errors.

It lives beside the pages, not in the library: ``verify`` (``verify.ui`` included) never
imports Streamlit, and the desk reaches the workspace only through its public API.

DuckDB connections are not thread-safe and Streamlit runs each session in its
own thread, so the desk opens the workspace at the start of every script run
and closes it at the end (:func:`session_workspace`). That also releases the
database between runs, so ``verify ingest`` from the CLI can write meanwhile;
new documents show on the next rerun. The models are process-wide and loaded
once (the library caches them; :func:`warm_models` loads them up front).

With ``VERIFY_SERVER`` set (the address of a `verify serve`), the desk works against that
server instead: it asks for a login (:func:`login_form`), and every page's workspace is a
:class:`verify.client.RemoteWorkspace` acting as that user; roles refused by the server
show as a friendly message (:func:`show_error`).

Example (inside ``app.py``)::

    from app_pages import _desk as desk

    with desk.session_workspace() as ws:
        page.run()
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import logging
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import streamlit as st

from verify.errors import (
    AuthenticationError,
    IndexMissingError,
    PermissionDeniedError,
    VerifyError,
    WorkspaceLockedError,
)
from verify.ui.paths import OFF_MESSAGE, resolve_desk_path, roots_label

if TYPE_CHECKING:
    from verify.client import RemoteWorkspace
    from verify.ui.keeper import WorkspaceKeeper
    from verify.users import User
    from verify.workspace import Workspace

log = logging.getLogger(__name__)

ENV_WORKSPACE = "VERIFY_WORKSPACE"
_WS_KEY = "_vf_workspace"
_TOKEN_KEY = "_vf_token"
_USER_KEY = "_vf_user"
_build_lock = threading.Lock()
_built: set[str] = set()

PAGE_CHECK = "app_pages/check.py"
PAGE_AUDIT = "app_pages/audit.py"
PAGE_SOURCES = "app_pages/sources.py"
PAGE_CORPUS = "app_pages/corpus.py"
PAGE_HISTORY = "app_pages/history.py"


def workspace_target() -> str | None:
    """The workspace to open: ``--workspace X`` after ``--``, ``$VERIFY_WORKSPACE``, or the default."""
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--workspace" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--workspace="):
            return arg.split("=", 1)[1]
    return os.environ.get(ENV_WORKSPACE) or None


def workspace_label() -> str:
    """Where the workspace lives, for the sidebar; a name that cannot be a workspace
    (``VERIFY_WORKSPACE=a/b``) is named with why, instead of raising."""
    from verify.config import resolve_workspace_path

    target = workspace_target()
    try:
        return str(resolve_workspace_path(target))
    except VerifyError as exc:
        return f"{target} (cannot be opened: {exc})"


def show_error(exc: BaseException, action: str = "") -> None:
    """A friendly message for a library error (never a traceback)."""
    if isinstance(exc, WorkspaceLockedError):
        st.warning("The workspace is busy (an ingest is running). Retry in a moment.",
                   icon=":material/hourglass_top:")
        return
    if isinstance(exc, PermissionDeniedError):
        text = str(exc).removeprefix("role: ")
        st.warning(f"Your role does not allow this: {text}. Ask an admin of the server "
                   "for another role if you need it.", icon=":material/lock:")
        return
    if isinstance(exc, AuthenticationError) and remote_url():
        st.session_state.pop(_TOKEN_KEY, None)
        st.session_state.pop(_USER_KEY, None)
        st.warning(f"You are signed out ({exc}). Reload the page to sign in again.",
                   icon=":material/login:")
        return
    if isinstance(exc, IndexMissingError):
        st.error(f"{exc.user_message()}\n\nOr add documents on the **Corpus** page.", icon=":material/error:")
        return
    if isinstance(exc, VerifyError):
        st.error(exc.user_message(), icon=":material/error:")
        return
    log.exception("unexpected error while %s", action or "running the desk")
    what = f" while {action}" if action else ""
    st.error(f"Something went wrong{what}: {type(exc).__name__}: {exc}. "
             "Check the input and try again; the server log has the details.", icon=":material/error:")


@contextlib.contextmanager
def guard(action: str) -> Iterator[None]:
    """Run a block; library errors become friendly messages instead of tracebacks."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the UI must never show a traceback
        if _is_control_flow(exc):
            raise
        show_error(exc, action)


def _is_control_flow(exc: BaseException) -> bool:
    """st.stop / st.rerun / st.switch_page work by raising; let those through."""
    try:
        from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException
    except ImportError:  # pragma: no cover - older Streamlit
        return type(exc).__name__ in {"StopException", "RerunException"}
    return isinstance(exc, ScriptControlException)


def _ensure_built(target: str | None) -> None:
    """Build the default workspace (demo corpus + ratings) once per process, with progress."""
    from verify.config import resolve_workspace_path

    key = str(resolve_workspace_path(target).resolve())
    if key in _built:
        return
    with _build_lock:
        if key in _built:
            return
        from verify.demo import ensure_demo_workspace

        slot = st.empty()   # the progress goes once the workspace is ready
        with slot.status("Preparing the workspace (the first start ingests the demo corpus, "
                         "about 30 s)…", expanded=False) as status:
            kwargs: dict[str, Any] = {}
            params = inspect.signature(ensure_demo_workspace).parameters
            if "progress_callback" in params:
                bar = st.progress(0.0, text="Ingesting the demo corpus…")

                def _cb(done: float, total: float | None = None, message: str = "") -> None:
                    frac = (done / total) if total else float(done)
                    bar.progress(min(max(frac, 0.0), 1.0), text=message or "Ingesting…")

                kwargs["progress_callback"] = _cb
            ws = ensure_demo_workspace(target, **kwargs)
            ws.close()
            status.update(label="Workspace ready", state="complete")
        slot.empty()
        _built.add(key)


@st.cache_resource(show_spinner="Loading the models…")
def warm_models(embedder: str, stance_model: str) -> bool:
    """Load the embedder and stance model once per process (the library keeps them).

    One tiny call through each makes sure the weights are in memory before the
    first claim, so the first check is as fast as the rest.
    """
    from verify.embedders import get_embedder
    from verify.stance import get_stance_model

    get_embedder(embedder).embed("warm up")
    get_stance_model(stance_model).predict("warm up", "warm up")
    return True


@st.cache_resource(show_spinner="Warming up (first page load only)…")
def warm_pipeline(_ws: Workspace, workspace_key: str) -> bool:
    """One unsaved check through the whole pipeline (spaCy, figures, index), once per process."""
    _ws.check("Warm-up: 1 claim checked at start", save=False)
    return True


def open_workspace() -> Workspace | None:
    """Open the workspace for this run (building the demo on first start); None on failure."""
    from verify.workspace import Workspace

    target = workspace_target()
    try:
        if target is None and os.environ.get("VERIFY_BUILD_DEMO", "1") != "0":
            _ensure_built(target)  # only the default workspace gets the demo corpus
        ws = Workspace.open(target)
    except Exception as exc:  # noqa: BLE001
        show_error(exc, "opening the workspace")
        return None
    try:
        warm_models(ws.settings.embedder, ws.settings.stance_model)
        warm_pipeline(ws, str(ws.path))
    except Exception as exc:  # noqa: BLE001 - browsing still works; a check reports it
        log.warning("could not warm up the models: %s", exc)
    return ws


# ---- the desk on a server (VERIFY_SERVER) -------------------------------------------------
def remote_url() -> str | None:
    """The server the desk works against (``$VERIFY_SERVER``), or None: embedded mode."""
    from verify.client import server_url

    try:
        return server_url()
    except VerifyError as exc:
        st.error(exc.user_message(), icon=":material/error:")
        st.stop()
        raise  # pragma: no cover - st.stop raises


@st.cache_resource
def _http_client(url: str) -> Any:
    """One HTTP connection pool per server, shared by the sessions (httpx is thread-safe)."""
    import httpx

    return httpx.Client(base_url=url, timeout=600.0)


def signed_in() -> User | None:
    """The user this browser session is signed in as (remote mode), or None."""
    if not st.session_state.get(_TOKEN_KEY):
        return None
    return cast("User | None", st.session_state.get(_USER_KEY))


def sign_out() -> None:
    """End this session's login on the server and forget its token."""
    ws = open_remote()
    if ws is not None:
        with contextlib.suppress(VerifyError):
            ws.logout()
    st.session_state.pop(_TOKEN_KEY, None)
    st.session_state.pop(_USER_KEY, None)


def login_form() -> None:
    """The sign-in form: a user name and password, or an API token (remote mode)."""
    from verify.client import RemoteWorkspace

    url = remote_url() or ""
    st.title("Sign in to the desk")
    st.caption(f"This desk works on the server {url}: sign in with your user name and "
               "password, or with your API token (from `verify users add`).")
    with st.form("login_form"):
        name = st.text_input("User name", key="login_name")
        password = st.text_input("Password", type="password", key="login_password")
        token = st.text_input("or API token", type="password", key="login_token",
                              placeholder="vfy_…")
        sent = st.form_submit_button("Sign in", type="primary")
    if not sent:
        return
    try:
        ws = RemoteWorkspace.login(url, token=token or None, name=name or None,
                                   password=password or None, client=_http_client(url))
    except AuthenticationError as exc:
        st.error(f"Could not sign in: {exc}.", icon=":material/lock:")
        return
    except VerifyError as exc:
        show_error(exc, "signing in")
        return
    st.session_state[_TOKEN_KEY] = ws.token
    st.session_state[_USER_KEY] = ws.user
    remember_name(ws.user.name)
    st.rerun()


def open_remote() -> RemoteWorkspace | None:
    """The server's workspace as the signed-in user (None before signing in)."""
    from verify.client import RemoteWorkspace

    url, token = remote_url(), st.session_state.get(_TOKEN_KEY)
    if not url or not token:
        return None
    ws = RemoteWorkspace(url, str(token), client=_http_client(url))
    ws._user = signed_in()
    return ws


ENV_TIMINGS = "VERIFY_DESK_TIMINGS"
timing_log = logging.getLogger("verify.desk.timing")


class _Timed:
    """A workspace (or its source book) whose method calls are timed into the log
    (``VERIFY_DESK_TIMINGS=1``: benchmarks/desk_latency.py reads them)."""

    def __init__(self, target: Any, prefix: str = "ws") -> None:
        self._target, self._prefix = target, prefix

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if name == "sources":
            return _Timed(value, "ws.sources")
        if not callable(value) or name.startswith("_"):
            return value

        @functools.wraps(value)  # its signature stays visible to accepts()
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return value(*args, **kwargs)
            finally:
                timing_log.info("desk-timing %s.%s %.4f", self._prefix, name,
                                time.perf_counter() - started)

        return timed


def mark(name: str) -> None:
    """Log the wall-clock time of a point in the script run (with desk timings on), so a
    browser's timestamps can be set beside the server's."""
    if _timings_on():
        timing_log.info("desk-mark %s %.4f", name, time.time())


def _timings_on() -> bool:
    """Whether desk timings go to the log (then to stderr, whatever the log level)."""
    if os.environ.get(ENV_TIMINGS, "") in ("", "0"):
        return False
    if not timing_log.handlers:
        timing_log.addHandler(logging.StreamHandler())
        timing_log.setLevel(logging.INFO)
        timing_log.propagate = False
    return True


ENV_KEEP = "VERIFY_DESK_KEEP_S"
KEEP_S = 120.0


@st.cache_resource
def _keeper() -> WorkspaceKeeper:
    """The process's keeper of the workspace between script runs."""
    from verify.ui.keeper import WorkspaceKeeper

    return WorkspaceKeeper()


def keep_seconds() -> float:
    """How long an idle workspace stays open between runs (``$VERIFY_DESK_KEEP_S``; 0: close
    it after every run). Another process that waits for it gets it at once."""
    try:
        return max(0.0, float(os.environ.get(ENV_KEEP, KEEP_S)))
    except ValueError:
        return KEEP_S


@contextlib.contextmanager
def _embedded_workspace() -> Iterator[Workspace | None]:
    """The workspace for one run, kept open for the next unless another process waits."""
    keeper = _keeper()
    keeper.idle_s = keep_seconds()
    key = f"{os.environ.get('VERIFY_HOME', '')}|{workspace_target() or ''}"
    with keeper.run(key, open_workspace) as ws:
        yield ws


@contextlib.contextmanager
def session_workspace() -> Iterator[Workspace | None]:
    """The workspace for one script run: through the server (remote mode), or the embedded
    one, kept open between runs while nobody else waits for it (``verify.ui.keeper``)."""
    timed = _timings_on()
    mark("run.start")
    started = opened = time.perf_counter()
    stack = contextlib.ExitStack()
    try:
        if remote_url():
            ws: Any = open_remote()
        else:
            ws = stack.enter_context(_embedded_workspace())
        opened = time.perf_counter()
        st.session_state[_WS_KEY] = _Timed(ws) if timed and ws is not None else ws
        yield cast("Workspace | None", ws)
    finally:
        ran = time.perf_counter()
        with contextlib.suppress(Exception):
            st.session_state[_WS_KEY] = None
        stack.close()  # the keeper keeps or closes the workspace, first
        if timed:
            timing_log.info("desk-timing run.open %.4f", opened - started)
            timing_log.info("desk-timing run.page %.4f", ran - opened)
            timing_log.info("desk-timing run.close %.4f", time.perf_counter() - ran)


@contextlib.contextmanager
def run_workspace() -> Iterator[Workspace | None]:
    """The workspace for a fragment (``st.fragment``): the page run's, or, when the fragment
    reruns on its own (app.py does not run then), one of its own, as a page run gets it."""
    ws = st.session_state.get(_WS_KEY)
    if ws is not None:
        yield ws
        return
    with session_workspace():
        yield st.session_state.get(_WS_KEY)  # as a page run sees it (timed, when timings are on)


def workspace() -> Workspace:
    """The workspace opened for this run; stops the page if there is none."""
    ws: Workspace | None = st.session_state.get(_WS_KEY)
    if ws is None:
        st.info("The workspace could not be opened. Fix the problem above and reload the page.")
        st.stop()
    return cast("Workspace", ws)


# While a script runs, Streamlit animates its spinners, the "running" indicator and the
# fading of stale elements; a browser without a GPU repaints every frame on the CPU, which on
# a small machine shared with the desk slows the check itself (benchmarks/desk_latency.py).
STILL_CSS = ("<style>*,*::before,*::after{animation-duration:0s!important;"
             "animation-iteration-count:1!important;transition:none!important}</style>")
ENV_MOTION = "VERIFY_DESK_MOTION"


def inject_css() -> None:
    """Badge and highlight styles (static CSS, no untrusted text); without animations unless
    ``VERIFY_DESK_MOTION=1``."""
    from verify.ui.render import CSS

    st.markdown(CSS if os.environ.get(ENV_MOTION, "0") == "1" else CSS + STILL_CSS,
                unsafe_allow_html=True)


def html(fragment: str) -> None:
    """Show HTML built by :mod:`verify.ui.render` (every untrusted piece is escaped there)."""
    st.markdown(fragment, unsafe_allow_html=True)


SEND_PAUSE_S = 0.003


def let_send() -> None:
    """Pause the script a moment so that the server's thread sends what the run has drawn so
    far. Building the rest of the page holds Python's lock: without the pause the verdict
    waited for it and reached the page about 12 ms later (``benchmarks/desk_latency.py``)."""
    time.sleep(SEND_PAUSE_S)


def html_block(fragment: str) -> None:
    """Show a large piece of :mod:`verify.ui.render` HTML (every untrusted piece escaped
    there) as raw HTML, not markdown. The browser draws it, and redraws it at every run of
    its panel, without parsing it as markdown first: on a small machine shared with the desk
    that redraw competes with the check for the CPU (``benchmarks/desk_latency.py``)."""
    st.html(fragment)


def accepts(fn: Any, name: str) -> bool:
    """True when ``fn`` names a parameter ``name`` (``**kwargs`` alone does not count)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params


def progress_callback(bar: Any, label: str) -> Any:
    """A ``callback(done, total=None, message="")`` that drives an ``st.progress`` bar."""

    def _cb(done: float, total: float | None = None, message: str = "", *_: Any) -> None:
        frac = (float(done) / float(total)) if total else float(done)
        text = f"{label}: {message}" if message else label
        if total:
            text += f" ({int(done)}/{int(total)})"
        bar.progress(min(max(frac, 0.0), 1.0), text=text)

    return _cb


_FLASH_KEY = "_vf_flash"
NAME_KEY = "_vf_person"


def flash(message: str) -> None:
    """Keep a success message for the next run (use before ``st.rerun()``)."""
    st.session_state[_FLASH_KEY] = message


def show_flash() -> None:
    """Show (once) the message kept by :func:`flash`."""
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def with_workspace(fn: Any) -> Any:
    """A no-argument callable that opens the workspace, runs ``fn(ws)`` and closes it.

    For ``st.download_button(data=...)``: Streamlit calls it on another thread
    after the script run, when the run's own workspace is already closed.
    """
    target = workspace_target()
    remote = open_remote() if remote_url() else None
    if remote is not None:
        return lambda: fn(remote)

    def _run() -> Any:
        from verify.workspace import Workspace

        with Workspace.open(target) as ws:
            return fn(ws)

    return _run


def remembered_name() -> str:
    """The name last typed into a desk form this session ('' if none)."""
    return str(st.session_state.get(NAME_KEY) or "")


def remember_name(name: str) -> None:
    """Keep ``name`` as the default of the next form's name field."""
    st.session_state[NAME_KEY] = str(name or "").strip()


def remember_name_from(widget_key: str) -> None:
    """``on_change`` for a name field: keep what was typed for the next form."""
    remember_name(str(st.session_state.get(widget_key) or ""))


def name_field(where: Any, widget_key: str, signed_in_help: str) -> str:
    """A form's *Your name* field in ``where`` (a column): what was typed, remembered for the
    next form; signed in to a server, the signed-in user's name, not editable (the server
    stamps every write with it)."""
    user = signed_in()
    if user is not None:
        where.text_input("Your name", value=user.name, key=widget_key, disabled=True,
                         help=signed_in_help)
        return user.name
    return str(where.text_input("Your name", value=remembered_name(), key=widget_key,
                                on_change=remember_name_from, args=(widget_key,)))


def server_path(label: str, *, key: str, button: str, button_key: str,
                placeholder: str = "") -> tuple[bool, Path | None]:
    """The *Folder path* field: ``(pressed, path)``, the path only if the desk may read it.

    Says when reading server folders is off (no ``VERIFY_DESK_ROOTS``) and which
    roots are allowed otherwise. ``path`` is the resolved path under a root, or None
    when the button was not pressed or the path was refused (the refusal is shown).
    """
    from verify.config import desk_roots
    from verify.ui.render import esc

    if remote_url():
        st.info("This desk works on a server: reading folders there is for admins, through "
                "the API (`POST /ingest/paths`, only under the server's desk roots). Upload "
                "the files here instead.", icon=":material/folder_off:")
        return False, None
    roots: tuple[Path, ...] = ()
    with guard("reading the desk's folder settings"):
        roots = desk_roots()
    if roots:
        html(f'<div class="vf-meta">{esc(roots_label(roots))}</div>')
    else:
        st.info(OFF_MESSAGE, icon=":material/folder_off:")
    text = st.text_input(label, key=key, placeholder=placeholder)
    if not st.button(button, key=button_key):
        return False, None
    try:
        return True, resolve_desk_path(text, roots)
    except VerifyError as exc:
        show_error(exc, "reading a server path")
        return True, None
