"""Learn a verdict head from a workspace's reviewed checks, store it, and find the active one.

The head itself is in ``verify.checks.head``; this module reads the reviews
(``verdicts``, latest per check) and the checks they judged (``checks.result_json``),
keeps the checks run under the current stance model, embedder and verdict settings,
fits, and records the head in ``verdict_heads`` with its cross-validated scores.

Example:
    report = learn_verdict_head(ws)
    report.activated, report.head.cv_head_f1
    # -> (True, 0.61)
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from verify.checks.head import MIN_REVIEWS, VerdictHead, fit_verdict_head, head_versions
from verify.checks.records import normalise_verdict, result_from_dict
from verify.checks.versions import model_versions
from verify.errors import InputError
from verify.types import to_jsonable

if TYPE_CHECKING:
    from verify.checks.context import CheckContext

log = logging.getLogger(__name__)

_REVIEWED = """
SELECT c.result_json, c.settings, v.verdict
FROM checks c
JOIN (SELECT check_id, verdict,
             row_number() OVER (PARTITION BY check_id ORDER BY created_at DESC, verdict_id DESC) AS n
      FROM verdicts) v ON v.check_id = c.check_id AND v.n = 1
ORDER BY c.created_at, c.check_id
"""


@dataclass(frozen=True)
class HeadReport:
    """What ``learn_verdict_head`` did."""

    head: VerdictHead
    activated: bool
    reviews_used: int
    reviews_skipped: int          # reviewed checks run under another model or settings
    why: str                      # one line for a person

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)  # type: ignore[no-any-return]


def current_versions(ws: CheckContext) -> dict[str, str]:
    """What a head fitted now, in this workspace, is tied to."""
    from verify.stance import get_stance_model

    model = get_stance_model(ws.settings.stance_model)
    return head_versions(model_versions(ws, model), asdict(ws.settings.verdict))


def learn_verdict_head(ws: CheckContext, *, min_reviews: int | None = None,
                       activate: bool | None = None) -> HeadReport:
    """Fit a head on this workspace's reviewed checks and store it.

    ``min_reviews`` defaults to ``MIN_REVIEWS`` (60). ``activate``: None (default) activates
    the head only when its cross-validated macro-F1 on the reviews beats the rule's; True or
    False force it.
    """
    versions = current_versions(ws)
    results, labels, skipped = [], [], 0
    for result_json, settings_json, verdict in ws.store.execute(_REVIEWED).fetchall():
        result = result_from_dict(json.loads(result_json))
        settings = json.loads(settings_json) if settings_json else {}
        if head_versions(result.model_versions, settings.get("verdict", {})) != versions:
            skipped += 1
            continue
        results.append(result)
        labels.append(normalise_verdict(verdict))
    if skipped and not results:
        raise InputError(f"none of the {skipped} reviewed checks was run under the current stance "
                         "model and verdict settings; check and review claims again first")
    head = fit_verdict_head(results, labels, versions=versions,
                            min_reviews=MIN_REVIEWS if min_reviews is None else min_reviews)
    better = head.cv_head_f1 > head.cv_rule_f1
    on = better if activate is None else activate
    scores = (f"cross-validated macro-F1 on {head.n_reviews} reviews: head "
              f"{head.cv_head_f1:.3f}, rule {head.cv_rule_f1:.3f}")
    if activate is None:
        why = f"{scores}; " + ("active: later checks use it" if on else
                                "not activated: it does not beat the rule")
    else:
        why = f"{scores}; " + ("activated on request" if on else "stored, not activated")
    left_out = Counter(lab for lab in labels if lab not in head.labels)
    if left_out:
        why += ("; left out, under 5 reviews each (the head never gives these): "
                + ", ".join(f"{lab} {n}" for lab, n in sorted(left_out.items())))
    with ws.store.transaction() as store:
        if on:
            store.execute("UPDATE verdict_heads SET active = false WHERE active")
        store.execute(
            "INSERT INTO verdict_heads (head_id, stance_version, embedder_id, verdict_settings,"
            " n_reviews, label_counts, cv_head_f1, cv_rule_f1, active, head_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [head.head_id, versions["stance_version"], versions["embedder_id"],
             versions["verdict_settings"], head.n_reviews, json.dumps(head.label_counts),
             head.cv_head_f1, head.cv_rule_f1, on, json.dumps(head.to_dict())])
    log.info("verdict head %s: %s", head.head_id, why)
    return HeadReport(head, on, len(results), skipped, why)


def active_head(ws: CheckContext) -> VerdictHead | None:
    """The workspace's active head, if one was fitted and activated."""
    row = ws.store.execute("SELECT head_json FROM verdict_heads WHERE active"
                           " ORDER BY created_at DESC LIMIT 1").fetchone()
    if row is None:
        return None
    return VerdictHead.from_dict(json.loads(row[0]))


def deactivate_heads(ws: CheckContext) -> int:
    """Switch learned heads off (they stay on record); returns how many were active."""
    with ws.store.transaction() as store:
        n = store.fetchone("SELECT count(*) FROM verdict_heads WHERE active")
        store.execute("UPDATE verdict_heads SET active = false WHERE active")
    return int(n[0]) if n else 0


def list_heads(ws: CheckContext) -> list[dict[str, object]]:
    """Every learned head on record, newest first, with its scores and whether it is on."""
    cols = ("head_id", "created_at", "n_reviews", "label_counts", "cv_head_f1", "cv_rule_f1",
            "active", "stance_version")
    rows = ws.store.execute(f"SELECT {', '.join(cols)} FROM verdict_heads"
                            " ORDER BY created_at DESC, head_id").fetchall()
    out = [dict(zip(cols, row, strict=True)) for row in rows]
    for item in out:
        item["label_counts"] = json.loads(str(item["label_counts"]))
    return out


def reviewed_checks(ws: CheckContext) -> int:
    """How many checks of this workspace a person has reviewed."""
    row = ws.store.execute("SELECT count(DISTINCT check_id) FROM verdicts").fetchone()
    return int(row[0]) if row else 0
