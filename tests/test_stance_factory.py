"""The stance factory: a model from a registry name or a trained model folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verify.errors import ModelLoadError, UnknownBackendError
from verify.stance import STANCE_MODELS, StanceModel, create_stance_model, get_stance_model
from verify.stance.model import MODEL_DIR, TransformerStanceModel


class Constant(StanceModel):
    model_id = "constant"

    def __init__(self, row: tuple[float, float, float] = (0.2, 0.3, 0.5)) -> None:
        self.row = row

    def predict_batch(self, claims, evidence) -> np.ndarray:
        return np.tile(np.asarray(self.row, dtype=np.float32), (len(claims), 1))


@pytest.fixture
def constant() -> str:
    STANCE_MODELS.register("constant", Constant, replace=True)
    yield "constant"
    STANCE_MODELS.unregister("constant")
    get_stance_model.cache_clear()


def test_a_registered_name_builds_its_model_with_options(constant: str) -> None:
    model = create_stance_model(constant, row=(0.7, 0.2, 0.1))
    assert isinstance(model, Constant)
    assert model.predict("a claim", "a passage").label == "supports"
    assert create_stance_model(constant) is not create_stance_model(constant)   # new each time
    assert get_stance_model(constant) is get_stance_model(constant)             # shared
    assert get_stance_model(constant).predict("a", "b").label == "unrelated"


def test_a_model_folder_runs_with_the_transformer_backend() -> None:
    model = create_stance_model(str(MODEL_DIR), precision="fp32", batch_size=4)
    assert isinstance(model, TransformerStanceModel)
    assert (model.path, model.precision, model.batch_size) == (MODEL_DIR, "fp32", 4)
    assert model.model_id.startswith("verify-stance")
    assert model._model is None          # weights load on the first prediction, not here


def test_a_registered_name_wins_over_a_folder(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    STANCE_MODELS.register(str(tmp_path), Constant, replace=True)
    try:
        assert isinstance(create_stance_model(str(tmp_path)), Constant)
    finally:
        STANCE_MODELS.unregister(str(tmp_path))


def test_unknown_names_and_incomplete_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnknownBackendError, match="verify-stance"):
        create_stance_model("no-such-model")
    with pytest.raises(UnknownBackendError):
        create_stance_model(str(tmp_path))                  # a folder, but no model in it
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="stance model files missing"):
        create_stance_model(str(tmp_path))
