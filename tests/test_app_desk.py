"""The desk's boundary: Streamlit glue beside the pages (never in the library), pages on
the public API, and a workspace name that cannot be one shown as a message, not a traceback.
No model is loaded: these run in the fast tier."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def _imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def test_bad_workspace_name_is_a_friendly_message(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFY_HOME", str(tmp_path))
    monkeypatch.setenv("VERIFY_WORKSPACE", "a/b")
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    sidebar = " ".join(str(c.value) for c in at.sidebar.caption)
    assert "a/b" in sidebar and "cannot be opened" in sidebar
    errors = " ".join(str(e.value) for e in at.error)
    assert "neither a workspace name nor an explicit path" in errors
    assert "Traceback" not in errors
    assert any("could not be opened" in str(i.value) for i in at.info)


def test_the_library_never_imports_streamlit() -> None:
    offenders = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "verify").rglob("*.py")
                       if any(n == "streamlit" or n.startswith("streamlit.")
                              for n in _imports(p)))
    assert offenders == []


@pytest.mark.parametrize("page", ["history.py", "audit.py", "check.py"])
def test_pages_reach_checks_and_audits_through_the_workspace(page: str) -> None:
    internals = {"verify.checks", "verify.checks.pipeline", "verify.checks.records",
                 "verify.checks.learned", "verify.audit.runner", "verify.audit.load_audit", "verify.audit.list_audits", "verify.retrieval",
                 "verify.index", "verify.store"}
    assert _imports(ROOT / "app_pages" / page) & internals == set()
