"""The library's docstring examples run: every ``>>>`` line in ``verify/`` is a test.

Examples must run fast, offline and without models or a workspace; an example that cannot
is written as a plain code block (no ``>>>``), never skipped. Modules whose optional
extras (pymilvus, ray, fastapi, streamlit, ...) are not installed are passed over.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import verify

OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(verify.__path__, "verify."))


def _load(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:   # an optional extra that is not installed
        pytest.skip(f"{name}: {exc}")


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_run(name: str) -> None:
    module = _load(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    for test in finder.find(module, name):
        if test.examples:
            runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert failed == 0, f"{failed} of {attempted} examples in {name} failed (output above)"


def test_no_skipped_examples() -> None:
    skipped = []
    finder = doctest.DocTestFinder(exclude_empty=True)
    for name in _modules():
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        for test in finder.find(module, name):
            skipped += [f"{test.name}:{e.lineno}" for e in test.examples
                        if e.options.get(doctest.SKIP)]
    assert not skipped, "skipped examples (make them run or write them without >>>): " \
        + ", ".join(skipped)
