"""Moved: the desk's Streamlit glue is ``app_pages/_desk.py``, beside the pages, so the
library never imports Streamlit. Pages import it as ``from app_pages import _desk as desk``.

This name only forwards attribute look-ups there for a page not yet switched over (it
works only where ``app_pages`` is importable, i.e. when the desk runs); it imports nothing
itself and goes away once every page uses the new name.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(importlib.import_module("app_pages._desk"), name)
