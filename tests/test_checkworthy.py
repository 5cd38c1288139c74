"""The check-worthiness model: shipped file, load-time checks, fitting round trip,
and the two reference sentences (real MiniLM + spaCy + shipped model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from verify.audit.checkworthy import (
    DEFAULT_MODEL_PATH,
    best_f1_threshold,
    fit_checkworthy,
    load_checkworthy_model,
    model_from_json,
)
from verify.audit.features import FEATURE_NAMES, FEATURE_SPEC_VERSION
from verify.errors import ModelLoadError


def shipped() -> dict:
    return json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))


def test_shipped_model_records_its_provenance() -> None:
    data = shipped()
    assert data["feature_spec_version"] == FEATURE_SPEC_VERSION
    assert tuple(data["feature_names"]) == FEATURE_NAMES
    assert data["meta"]["sklearn_version"]
    assert "GPL-3.0" in data["meta"]["trained_on"]
    assert 0.0 < data["threshold"] < 1.0
    card = (DEFAULT_MODEL_PATH.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "GPL-3.0" in card and data["meta"]["sklearn_version"] in card
    model = load_checkworthy_model()
    assert model.coef.shape == (data["embedding_dim"] + len(FEATURE_NAMES),)


@pytest.mark.parametrize(("change", "message"), [
    ({"feature_spec_version": "cw-features-0"}, "feature spec"),
    ({"feature_names": list(FEATURE_NAMES[:-1])}, "feature spec"),
    ({"format_version": 99}, "is not a"),
    ({"coef": [0.1, 0.2]}, "coefficients"),
])
def test_mismatched_model_file_is_refused(tmp_path: Path, change: dict, message: str) -> None:
    data = {**shipped(), **change}
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ModelLoadError, match=message):
        load_checkworthy_model(path)


def test_missing_model_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not found"):
        load_checkworthy_model(tmp_path / "nope.json")


def synthetic(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    feats = rng.normal(size=(n, len(FEATURE_NAMES))).astype(np.float32)
    feats[:, 0] += 2.5 * labels                      # has_number drives the label
    emb = rng.normal(size=(n, 8)).astype(np.float32)
    emb[:, 1] += labels
    return emb, feats, labels


def test_fit_save_load_round_trip(tmp_path: Path) -> None:
    emb, feats, labels = synthetic()
    model = fit_checkworthy(emb, feats, labels, embedder="fake", embedder_model_id="x")
    scores = model.score_arrays(emb, feats)
    assert ((scores >= 0.5) == labels).mean() > 0.85
    loaded = load_checkworthy_model(model.save(tmp_path / "m.json"))
    np.testing.assert_allclose(loaded.score_arrays(emb, feats), scores, rtol=1e-4, atol=1e-5)
    thr, f1 = best_f1_threshold(scores, labels)
    assert 0.0 < thr < 1.0 and f1 > 0.85


def test_features_only_model_needs_no_embeddings() -> None:
    _, feats, labels = synthetic(seed=1)
    model = fit_checkworthy(None, feats, labels)
    assert model.embed(["anything"]) is None
    assert model_from_json(model.to_json()).score_arrays(None, feats).shape == (len(labels),)


def test_model_refuses_a_different_embedder() -> None:
    emb, feats, labels = synthetic()
    model = fit_checkworthy(emb, feats, labels, embedder="fake", embedder_model_id="not-the-fake")
    with pytest.raises(ModelLoadError, match="fit on embeddings from not-the-fake"):
        model.embed(["IS-K had 800 fighters"])


@pytest.mark.real
def test_concrete_figure_with_named_actor_is_checkworthy() -> None:
    model = load_checkworthy_model()
    score = model.score(["CSIS estimated that IS-K had grown to roughly 800 fighters"])[0]
    assert score >= model.threshold


@pytest.mark.real
def test_generic_statement_is_not_checkworthy() -> None:
    model = load_checkworthy_model()
    score = model.score(["Raids of this type are a common tactic"])[0]
    assert score < model.threshold


@pytest.mark.real
def test_shipped_model_ranks_figures_above_opinion() -> None:
    model = load_checkworthy_model()
    scores = model.score([
        "The prison held about 1,700 prisoners, many of them accused members of IS-K.",
        "The timing also matters.",
        "I think we should all take a deep breath.",
    ])
    assert scores[0] > scores[1] and scores[0] > scores[2]
