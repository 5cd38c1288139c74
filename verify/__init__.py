"""verify: claim verification and source credibility for fact-checkers.

Example:
    from verify import Workspace
    with Workspace.open("demo") as ws:
        verdict = ws.check("IS-K killed 338 civilians in Pakistan since 2017").verdict
    # verdict -> "SUPPORTED"
"""

from __future__ import annotations

from verify.errors import VerifyError
from verify.workspace import Workspace

__all__ = ["Workspace", "VerifyError", "__version__"]
__version__ = "0.1.0"
