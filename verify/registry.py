"""Name -> factory registries for pluggable models and backends.

Example:
    >>> from verify.registry import Registry
    >>> colours = Registry[str]("colour")
    >>> colours.register("red", lambda: "#f00")
    >>> colours.create("red")
    '#f00'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from verify.errors import UnknownBackendError

T = TypeVar("T")

Factory = Callable[..., T]


class Registry(Generic[T]):
    """A small registry of factories, looked up by name.

    Built-in entries may be given as ``"module:attr"`` strings so nothing is
    imported until the entry is used.
    """

    def __init__(self, kind: str, builtins: dict[str, str] | None = None) -> None:
        self.kind = kind
        self._entries: dict[str, Factory[T] | str] = dict(builtins or {})

    def register(self, name: str, factory: Factory[T], *, replace: bool = False) -> None:
        """Add a factory under ``name``; refuse to shadow one unless ``replace``."""
        if name in self._entries and not replace:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = factory

    def unregister(self, name: str) -> None:
        """Remove ``name`` if present."""
        self._entries.pop(name, None)

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._entries)

    def factory(self, name: str) -> Factory[T]:
        """Resolve the factory for ``name``."""
        try:
            entry = self._entries[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise UnknownBackendError(f"unknown {self.kind} {name!r}; known: {known}") from None
        if isinstance(entry, str):
            module_name, _, attr = entry.partition(":")
            entry = getattr(importlib.import_module(module_name), attr)
        return entry  # type: ignore[return-value]

    def create(self, name: str, **kwargs: Any) -> T:
        """Build an instance of ``name``."""
        return self.factory(name)(**kwargs)

    def __contains__(self, name: object) -> bool:
        return name in self._entries
