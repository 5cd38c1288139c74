"""The desk reads server paths only under configured roots (issue 20, item 11).

Auditing ``/etc/passwd`` from the Audit page's *Folder path* tab used to put the
file on the page and into History. Now the desk reads nothing on the server
unless ``VERIFY_DESK_ROOTS`` names folders, and then only paths that resolve
(symlinks followed) inside one of them.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest

import verify.workspace as workspace_mod
from verify.config import Settings
from verify.errors import ConfigError, InputError

ENV_DESK_ROOTS = "VERIFY_DESK_ROOTS"
ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 180
ARTICLE = ("---\ntitle: Harbour dredging\ndate: 2020-08-09\n---\n\n"
           "The harbour authority dredged 12,000 cubic metres of silt in August 2020.\n")


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """An allowed root with an article and a sub-folder, and a secret outside it."""
    allowed = tmp_path / "allowed"
    (allowed / "drop").mkdir(parents=True)
    (allowed / "drop" / "harbour.md").write_text(ARTICLE, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.md"
    secret.write_text("The vault code is 4711.\n", encoding="utf-8")
    return {"allowed": allowed, "outside": outside, "secret": secret}


# ---- the setting -----------------------------------------------------------------------

def test_no_roots_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.config import desk_roots

    monkeypatch.delenv(ENV_DESK_ROOTS, raising=False)
    assert desk_roots() == ()
    monkeypatch.setenv(ENV_DESK_ROOTS, f" {os.pathsep} ")
    assert desk_roots() == ()


def test_roots_are_read_from_the_environment_and_resolved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.config import desk_roots

    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "via-link").symlink_to(real, target_is_directory=True)
    other = tmp_path / "other"
    monkeypatch.setenv(ENV_DESK_ROOTS, f"{tmp_path / 'via-link'}{os.pathsep}{other}")
    assert desk_roots() == (real.resolve(), other.resolve())


def test_a_relative_root_is_a_config_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.config import desk_roots

    monkeypatch.setenv(ENV_DESK_ROOTS, "data/articles")
    with pytest.raises(ConfigError, match="data/articles"):
        desk_roots()


# ---- the check -------------------------------------------------------------------------

def test_with_no_roots_every_path_is_refused(tree: dict[str, Path]) -> None:
    from verify.ui.paths import DeskPathError, resolve_desk_path

    for text in ("/etc/passwd", "/etc", str(tree["allowed"] / "drop")):
        with pytest.raises(DeskPathError) as info:
            resolve_desk_path(text, roots=())
        assert text in str(info.value)
        assert "off" in str(info.value)
        assert ENV_DESK_ROOTS in info.value.user_message()
    assert issubclass(DeskPathError, InputError)


def test_paths_under_a_root_resolve(tree: dict[str, Path]) -> None:
    from verify.ui.paths import resolve_desk_path

    roots = (tree["allowed"].resolve(),)
    drop = tree["allowed"] / "drop"
    assert resolve_desk_path(str(drop), roots=roots) == drop.resolve()
    assert resolve_desk_path(f"  {drop / 'harbour.md'}  ", roots=roots) \
        == (drop / "harbour.md").resolve()
    assert resolve_desk_path("drop/harbour.md", roots=roots) == (drop / "harbour.md").resolve()
    assert resolve_desk_path(str(tree["allowed"]), roots=roots) == tree["allowed"].resolve()


@pytest.mark.parametrize("text", ["/etc/passwd", "/etc", "/", "~"])
def test_paths_outside_the_roots_are_refused_naming_the_path(
        tree: dict[str, Path], text: str) -> None:
    from verify.ui.paths import DeskPathError, resolve_desk_path

    with pytest.raises(DeskPathError) as info:
        resolve_desk_path(text, roots=(tree["allowed"].resolve(),))
    assert text in str(info.value)
    assert "outside" in str(info.value)


def test_dot_dot_escapes_are_refused(tree: dict[str, Path]) -> None:
    from verify.ui.paths import DeskPathError, resolve_desk_path

    roots = (tree["allowed"].resolve(),)
    for text in (str(tree["allowed"] / ".." / "outside" / "secret.md"),
                 "../outside/secret.md", "drop/../../outside"):
        with pytest.raises(DeskPathError, match="outside the folders"):
            resolve_desk_path(text, roots=roots)


def test_a_sibling_with_the_roots_name_as_prefix_is_outside(tmp_path: Path) -> None:
    from verify.ui.paths import DeskPathError, resolve_desk_path

    (tmp_path / "allowed").mkdir()
    evil = tmp_path / "allowed-evil"
    evil.mkdir()
    with pytest.raises(DeskPathError):
        resolve_desk_path(str(evil), roots=((tmp_path / "allowed").resolve(),))


def test_symlink_escapes_are_refused(tree: dict[str, Path]) -> None:
    from verify.ui.paths import DeskPathError, resolve_desk_path

    allowed = tree["allowed"]
    roots = (allowed.resolve(),)
    (allowed / "passwd.md").symlink_to("/etc/passwd")
    (allowed / "elsewhere").symlink_to(tree["outside"], target_is_directory=True)
    for text in (str(allowed / "passwd.md"), str(allowed / "elsewhere"),
                 str(allowed / "elsewhere" / "secret.md")):
        with pytest.raises(DeskPathError) as info:
            resolve_desk_path(text, roots=roots)
        assert text in str(info.value)


def test_a_folder_holding_a_link_out_of_the_roots_is_refused(tree: dict[str, Path]) -> None:
    from verify.ui.paths import DeskPathError, resolve_desk_path

    drop = tree["allowed"] / "drop"
    nested = drop / "nested"
    nested.mkdir()
    (nested / "leak.md").symlink_to(tree["secret"])
    with pytest.raises(DeskPathError) as info:
        resolve_desk_path(str(drop), roots=(tree["allowed"].resolve(),))
    assert "leak.md" in str(info.value)
    # a link that stays inside the roots is fine
    (nested / "leak.md").unlink()
    (nested / "again.md").symlink_to(drop / "harbour.md")
    assert resolve_desk_path(str(drop), roots=(tree["allowed"].resolve(),)) == drop.resolve()


def test_missing_and_malformed_paths_are_refused_cleanly(tree: dict[str, Path]) -> None:
    from verify.ui.paths import DeskPathError, resolve_desk_path

    roots = (tree["allowed"].resolve(),)
    with pytest.raises(DeskPathError, match="does not exist"):
        resolve_desk_path(str(tree["allowed"] / "nope"), roots=roots)
    with pytest.raises(DeskPathError, match="Enter a folder or file path"):
        resolve_desk_path("   ", roots=roots)
    with pytest.raises(DeskPathError):
        resolve_desk_path(str(tree["allowed"]) + "/a\x00b", roots=roots)


# ---- the desk ------------------------------------------------------------------------------

def _fake_settings() -> Settings:
    """The settings every workspace opens with here: the fake models."""
    return Settings(embedder="fake", stance_model="fake")


@pytest.fixture
def desk_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty workspace home, fake models, no demo build; returns VERIFY_HOME."""
    pytest.importorskip("streamlit")
    home = tmp_path / "home"
    monkeypatch.setattr(workspace_mod, "Settings", _fake_settings)
    monkeypatch.setenv("VERIFY_HOME", str(home))
    monkeypatch.setenv("VERIFY_BUILD_DEMO", "0")
    monkeypatch.delenv("VERIFY_WORKSPACE", raising=False)
    monkeypatch.delenv(ENV_DESK_ROOTS, raising=False)
    return home


def _app(page: str):  # noqa: ANN202 - AppTest
    """The desk opened on ``page``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def _press(at, label: str):  # noqa: ANN001, ANN202 - AppTest
    """Press the button ``label`` and run the script."""
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception, at.exception
    return at


def _shown(at) -> str:  # noqa: ANN001
    """Everything the page shows, HTML entities decoded."""
    groups = (at.markdown, at.caption, at.info, at.warning, at.error, at.success, at.text)
    return html.unescape("\n".join(str(e.value) for group in groups for e in group))


def _audits(home: Path) -> list:
    """The audits in History."""
    from verify.audit import list_audits

    with workspace_mod.Workspace.open(home / "demo") as ws:
        return list_audits(ws)


def _documents(home: Path) -> int:
    """How many documents the corpus holds."""
    with workspace_mod.Workspace.open(home / "demo") as ws:
        return int(ws.corpus_stats().documents)


def test_audit_of_etc_passwd_is_refused_without_roots(desk_env: Path) -> None:
    at = _app("app_pages/audit.py")
    at.text_input(key="audit_path").input("/etc/passwd")
    _press(at, "Audit folder")
    assert _audits(desk_env) == [], "/etc/passwd was audited and written to History"
    assert "root:" not in _shown(at)
    assert "audit_result" not in at.session_state or at.session_state["audit_result"] is None
    errors = "\n".join(str(e.value) for e in at.error)
    assert "/etc/passwd" in errors and "off" in errors, errors
    assert "Traceback" not in _shown(at)
    assert "Reading folders on the server is off" in _shown(at)


def test_corpus_ingest_of_etc_is_refused_without_roots(desk_env: Path) -> None:
    at = _app("app_pages/corpus.py")
    at.text_input(key="corpus_path").input("/etc")
    _press(at, "Ingest folder")
    assert not any(m.label == "Added" for m in at.metric), "/etc was read"
    assert _documents(desk_env) == 0
    errors = "\n".join(str(e.value) for e in at.error)
    assert "/etc" in errors and "off" in errors, errors
    assert "Reading folders on the server is off" in _shown(at)


def test_corpus_ingests_a_folder_under_a_root(desk_env: Path, tree: dict[str, Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DESK_ROOTS, str(tree["allowed"]))
    at = _app("app_pages/corpus.py")
    at.text_input(key="corpus_path").input(str(tree["allowed"] / "drop"))
    _press(at, "Ingest folder")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Added"]) == 1, _shown(at)
    assert _documents(desk_env) == 1
    assert "Reading folders on the server is off" not in _shown(at)
    assert str(tree["allowed"].resolve()) in _shown(at)


def test_escapes_from_a_root_are_refused_on_the_desk(desk_env: Path, tree: dict[str, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DESK_ROOTS, str(tree["allowed"]))
    (tree["allowed"] / "passwd.md").symlink_to("/etc/passwd")
    at = _app("app_pages/audit.py")
    for text in (str(tree["allowed"] / ".." / "outside" / "secret.md"),
                 str(tree["allowed"] / "passwd.md")):
        at.text_input(key="audit_path").input(text)
        _press(at, "Audit folder")
        errors = "\n".join(str(e.value) for e in at.error)
        assert text in errors and "outside the folders" in errors, errors
        assert "4711" not in _shown(at) and "root:" not in _shown(at)
    assert _audits(desk_env) == []
    at = _app("app_pages/corpus.py")
    at.text_input(key="corpus_path").input(str(tree["allowed"] / ".." / "outside"))
    _press(at, "Ingest folder")
    assert "outside the folders" in "\n".join(str(e.value) for e in at.error)
    assert _documents(desk_env) == 0


def test_audit_of_a_file_under_a_root_works(desk_env: Path, tree: dict[str, Path],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.config import demo_corpus_path

    with workspace_mod.Workspace.open(desk_env / "demo") as ws:
        ws.ingest([demo_corpus_path()], progress=False)
    monkeypatch.setenv(ENV_DESK_ROOTS, str(tree["allowed"]))
    at = _app("app_pages/audit.py")
    at.text_input(key="audit_path").input(str(tree["allowed"] / "drop" / "harbour.md"))
    _press(at, "Audit folder")
    assert not at.error, "\n".join(str(e.value) for e in at.error)
    assert at.session_state["audit_result"] is not None
    assert len(_audits(desk_env)) == 1
    assert any(m.label == "Claims checked" for m in at.metric)
    # a refused path next clears that audit from the page: nothing stale under the error
    at.text_input(key="audit_path").input("/etc/passwd")
    _press(at, "Audit folder")
    assert "outside the folders" in "\n".join(str(e.value) for e in at.error)
    assert "audit_result" not in at.session_state or at.session_state["audit_result"] is None
    assert not any(m.label == "Claims checked" for m in at.metric)
    assert len(_audits(desk_env)) == 1
