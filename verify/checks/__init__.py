"""The claim pipeline: a claim in, a verdict with its evidence out, and the records kept of it.

Modules (each takes only what it uses; none imports ``verify.workspace``):

- ``pipeline``: ``check_claim`` / ``check_claims`` (retrieve, score stance, compare figures,
  weigh, decide) and ``assess_hits`` (the same on given passages);
- ``records``: ``save_check``, ``load_check``, ``list_checks``, ``review_check``;
- ``aggregate``: evidence weighed into support and refute masses and a verdict;
- ``views``: the stance model's views of a passage (sentence, undated, negated claim);
- ``refutation``: why a passage refutes (a figure, a negation, an opposite);
- ``calibration``: raw confidence to a calibrated probability;
- ``head`` and ``learned``: a verdict head learned from a desk's reviews, and its records;
- ``past``: a desk's past verdicts imported as reviewed checks;
- ``claim_text``: a claim cleaned of markup noise and its language;
- ``context``: ``CheckContext``, what the pipeline reads from a workspace;
- ``versions``: the model identities a check records.

Names below are loaded on first use, so ``import verify.checks`` costs nothing. (The
function ``aggregate`` is not exported here: the name is its module's; import it from
``verify.checks.aggregate``.)

Example:
    from verify import Workspace
    from verify.checks import check_claim, load_check
    ws = Workspace.open("demo")
    result = check_claim(ws, "IS-K killed 338 civilians in Pakistan since 2017")
    load_check(ws, result.check_id).verdict
    # -> 'SUPPORTED'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verify.checks.aggregate import Aggregate, decide
    from verify.checks.calibration import (
        Calibrator,
        expected_calibration_error,
        fit_calibrator,
        shipped_calibrator,
    )
    from verify.checks.claim_text import claim_language, normalise_claim
    from verify.checks.context import CheckContext
    from verify.checks.head import VerdictHead, apply_head, fit_verdict_head, head_verdict
    from verify.checks.learned import (
        HeadReport,
        active_head,
        deactivate_heads,
        learn_verdict_head,
        list_heads,
        reviewed_checks,
    )
    from verify.checks.past import (
        PastVerdict,
        PastVerdictImport,
        import_past_verdicts,
        rating_verdict,
        read_past_verdicts,
    )
    from verify.checks.pipeline import assess_hits, check_claim, check_claims
    from verify.checks.records import (
        list_checks,
        load_check,
        normalise_verdict,
        result_from_dict,
        review_check,
        save_check,
    )
    from verify.checks.versions import model_versions

_EXPORTS: dict[str, str] = {
    "Aggregate": "aggregate", "decide": "aggregate",
    "Calibrator": "calibration", "expected_calibration_error": "calibration",
    "fit_calibrator": "calibration", "shipped_calibrator": "calibration",
    "claim_language": "claim_text", "normalise_claim": "claim_text",
    "CheckContext": "context",
    "VerdictHead": "head", "apply_head": "head", "fit_verdict_head": "head",
    "head_verdict": "head",
    "HeadReport": "learned", "active_head": "learned", "deactivate_heads": "learned",
    "learn_verdict_head": "learned", "list_heads": "learned", "reviewed_checks": "learned",
    "PastVerdict": "past", "PastVerdictImport": "past", "import_past_verdicts": "past",
    "rating_verdict": "past", "read_past_verdicts": "past",
    "assess_hits": "pipeline", "check_claim": "pipeline", "check_claims": "pipeline",
    "list_checks": "records", "load_check": "records", "normalise_verdict": "records",
    "result_from_dict": "records", "review_check": "records", "save_check": "records",
    "model_versions": "versions",
}

__all__ = [
    "Aggregate", "Calibrator", "CheckContext", "HeadReport", "PastVerdict", "PastVerdictImport",
    "VerdictHead", "active_head", "apply_head", "assess_hits", "check_claim", "check_claims",
    "claim_language", "deactivate_heads", "decide", "expected_calibration_error", "fit_calibrator",
    "fit_verdict_head", "head_verdict", "import_past_verdicts", "learn_verdict_head",
    "list_checks", "list_heads", "load_check", "model_versions", "normalise_claim",
    "normalise_verdict", "rating_verdict", "read_past_verdicts", "result_from_dict",
    "review_check", "reviewed_checks", "save_check", "shipped_calibrator",
]


def __getattr__(name: str) -> Any:
    """Load an exported name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
