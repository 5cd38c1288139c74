"""Training code lives outside the package (top-level ``training/``): the runtime never
imports it, and the shipped calibrator changes only through ``training.ship_calibration``."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from training.ship_calibration import ship
from verify.checks.calibration import Calibrator

ROOT = Path(__file__).resolve().parent.parent


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_runtime_package_never_imports_training_code() -> None:
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "verify").rglob("*.py")
        for name in _imported_names(path)
        if name == "training" or name.startswith(("training.", "verify.training")))
    assert offenders == []
    assert not (ROOT / "verify" / "training").exists()
    assert not (ROOT / "verify" / "audit" / "cwdata.py").exists()


def test_ship_calibration_copies_a_fitted_calibrator(tmp_path: Path) -> None:
    source = Calibrator((0.5, 0.1, 1.0, -1.0, 0.0, 0.0), -0.2, "logreg-test").save(
        tmp_path / "fitted.json")
    target = tmp_path / "models" / "calibration" / "calibrator.json"
    shipped = ship(source, target)
    assert shipped.version == "logreg-test"
    assert Calibrator.load(target) == shipped
    assert json.loads(target.read_text())["intercept"] == -0.2


def test_ship_calibration_refuses_the_identity(tmp_path: Path) -> None:
    target = tmp_path / "calibrator.json"
    with pytest.raises(ValueError, match="not a fitted calibrator"):
        ship(tmp_path / "missing.json", target)
    assert not target.exists()
