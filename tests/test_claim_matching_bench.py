"""benchmarks/claim_matching.py: its metrics (trec_eval map_cut, MRR, recall@10) and a clean
skip when the evaluation data is absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from claim_matching import average_precision, metrics, read_qrels  # noqa: E402


def test_map_cut_mrr_and_recall() -> None:
    assert average_precision(["a", "b", "c"], {"b"}, 1) == 0.0
    assert average_precision(["a", "b", "c"], {"b"}, 3) == pytest.approx(0.5)
    assert average_precision(["b", "x", "c"], {"b", "c"}, 5) == pytest.approx((1 + 2 / 3) / 2)
    m = metrics({"q1": ["a", "b"], "q2": ["z"] * 10 + ["c"]}, {"q1": {"b"}, "q2": {"c"}})
    assert m["MAP@1"] == 0.0 and m["MAP@3"] == pytest.approx(0.25)
    assert m["MRR"] == pytest.approx((0.5 + 1 / 11) / 2) and m["R@10"] == pytest.approx(0.5)


def test_qrels_keep_relevant_rows_only(tmp_path: Path) -> None:
    file = tmp_path / "qrels.tsv"
    file.write_text("1\t0\t784\t1\n2\t0\t5\t0\n1\t0\t9\t1\n")
    assert read_qrels(file) == {"1": {"784", "9"}}


def test_skips_cleanly_without_data(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "claim_matching.py"),
                          "--data", str(tmp_path)], capture_output=True, text=True, timeout=300,
                         env={"PATH": "/usr/bin:/bin", "VERIFY_EVAL_DATA": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    assert "skipping" in run.stdout
