"""What the claim pipeline reads from a workspace, as a structural type.

``verify.checks`` never imports ``verify.workspace``: its functions take any object with
these members (``Workspace`` has them; ``Workspace.check`` passes itself, an audit passes
a per-thread view).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import duckdb

    from verify.config import Settings
    from verify.embedders import Embedder
    from verify.store import Store
    from verify.types import Reliability, SearchFilters, SearchHit


class CheckContext(Protocol):
    """Settings, the store, the embedder, a search and source reliability."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...

    @property
    def db(self) -> duckdb.DuckDBPyConnection: ...

    @property
    def embedder(self) -> Embedder: ...

    def search(self, claim: str, k: int = 10,
               filters: SearchFilters | None = None) -> list[SearchHit]: ...

    def reliability(self, domain: str | None) -> Reliability: ...
