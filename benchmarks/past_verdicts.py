"""A desk's past verdicts, imported: what `verify import-verdicts --learn` gives on a
claim set's eval part, against the rule, in the same run.

The fitting part (30 %, the md5 split of benchmarks/agreement.py) of a claim set is
written as a CSV of claims and gold verdicts, as a desk's archive would be, and imported
through the library into a copy of the set's benchmark workspace (real MiniLM, FAISS,
DuckDB, stance model). Each claim is checked and stored, its verdict recorded as a
review, and a head is learned. The eval part is then checked once: the head's verdict
and the rule's (kept in ``rule_verdict``) come from the same checks. Scored as
agreement.py scores them (the same split, the same mapping of verdicts a set has no label
for).

    python benchmarks/past_verdicts.py [--claim-set scifact] [--limit 400] [--data PATH]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmarks._common import add_data_option, data_path_or_exit, machine_note, print_table  # noqa: E402

GOLD_TO_VERDICT = {"SUPPORTS": "SUPPORTED", "REFUTES": "REFUTED",
                   "NOT_ENOUGH_INFO": "NOT ENOUGH EVIDENCE", "CONFLICTING": "CONFLICTING"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_data_option(parser)
    parser.add_argument("--claim-set", default="scifact", help="scifact or fm2")
    parser.set_defaults(limit=400)
    args = parser.parse_args()
    root = data_path_or_exit(args.data, f"claims/{args.claim_set}")

    import agreement as A

    from verify import Workspace
    from verify.checks.pipeline import check_claims
    from verify.checks.records import load_check

    base = root / "claims" / args.claim_set
    rows = A.limited(A.load_jsonl(base / "claims.jsonl"), args.limit)
    fit = [r for r in rows if A.is_fit(r["id"])]
    held = [r for r in rows if not A.is_fit(r["id"])]
    built = A.build_workspace(args.claim_set, base / "corpus.jsonl", None, "minilm")
    folder = Path(built.path)
    built.close()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "ws"
        shutil.copytree(folder, copy)
        ws = Workspace.open(copy)
        archive = Path(tmp) / "desk-archive.csv"
        with archive.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["claim", "verdict"])
            for r in fit:
                writer.writerow([r["claim"], GOLD_TO_VERDICT[A.norm_label(r["label"])]])
        t0 = time.perf_counter()
        imported = ws.import_past_verdicts(archive, reviewer="desk")
        import_s = time.perf_counter() - t0
        fit_rule = [A.VERDICT_TO_LABEL[load_check(ws, c).verdict] for c in imported.check_ids]
        learned = ws.learn_verdicts()
        t0 = time.perf_counter()
        results = check_claims(ws, [r["claim"] for r in held], save=False)
        eval_s = time.perf_counter() - t0
        ws.close()
    gold = [A.norm_label(r["label"]) for r in held]
    labels = sorted({A.norm_label(r["label"]) for r in rows})
    # as in agreement.py: a verdict the set has no label for (NOT ENOUGH EVIDENCE on FM2,
    # CONFLICTING on SciFact) counts as the label it most often hid on the fitting part
    mapping = A.fit_output_map(fit_rule, [A.norm_label(r["label"]) for r in fit], labels)
    head = [mapping[A.VERDICT_TO_LABEL[x.verdict]] for x in results]
    rule = [mapping[A.VERDICT_TO_LABEL[x.rule_verdict or x.verdict]] for x in results]
    f_rule, f_head = A.macro_f1(gold, rule, labels), A.macro_f1(gold, head, labels)
    print_table(
        f"past verdicts imported: {args.claim_set}, {len(fit)} fitting-part claims -> "
        f"{len(held)} eval claims ({machine_note()})",
        ["system", "eval macro-F1", "n (eval)"],
        [["rule (shipped defaults)", f"{f_rule:.3f}", str(len(held))],
         ["head learned from the imported verdicts"
          + ("" if learned.activated else " (not switched on: rule used)"),
          f"{f_head:.3f}", str(len(held))]])
    print(f"ratio head / rule macro-F1: {f_head / f_rule:.3f}")
    print(f"import: {imported.imported} verdicts in {import_s:.1f} s "
          f"({imported.imported / import_s:.1f} claims/s, each checked and stored); "
          f"{len(imported.problems)} problems")
    print(f"learn: {learned.why}")
    print(f"eval checks: {len(held)} in {eval_s:.1f} s")


if __name__ == "__main__":
    main()
