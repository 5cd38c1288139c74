"""The shipped stance model: loading, output contract and numeric probes."""

from __future__ import annotations

import numpy as np
import pytest

from verify.errors import ModelLoadError
from verify.stance import get_stance_model
from verify.stance.model import TransformerStanceModel

CLAIM = "IS-K killed 338 civilians in Pakistan since January 2017"
SAME = ("A monitoring group says the Islamic State's Khorasan branch (IS-K) has killed 338 "
        "civilians in Pakistan since January 2017.")
MORE = ("A monitoring group says the Islamic State's Khorasan branch (IS-K) has killed more "
        "than 3,000 civilians in Pakistan since January 2017.")
SPORTS = "The visitors won the league match 3-1 after two late goals from their captain."


def test_missing_files_raise_model_load_error(tmp_path) -> None:
    with pytest.raises(ModelLoadError, match="stance model files missing"):
        TransformerStanceModel(tmp_path)


@pytest.fixture(scope="module")
def model():
    return get_stance_model("verify-stance")


@pytest.mark.real
def test_loads_through_the_registry_with_an_id(model) -> None:
    assert model.model_id.startswith("verify-stance-minilm")
    assert model.version


@pytest.mark.real
def test_probabilities_are_well_formed(model) -> None:
    probs = model.predict_batch([CLAIM, CLAIM, CLAIM], [SAME, MORE, SPORTS])
    assert probs.shape == (3, 3)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert (probs >= 0).all()
    assert model.predict_batch([], []).shape == (0, 3)
    with pytest.raises(ValueError):
        model.predict_batch([CLAIM], [])


@pytest.mark.real
def test_batch_order_matches_single_predictions(model) -> None:
    batch = model.predict_batch([CLAIM, CLAIM, CLAIM], [SPORTS, SAME, MORE])
    # fp32 is exact; under bf16 autocast padding shifts rounding a little, never the label.
    atol = 1e-4 if getattr(model, "precision", "fp32") == "fp32" else 0.03
    for row, ev in zip(batch, [SPORTS, SAME, MORE], strict=True):
        single = model.predict(CLAIM, ev)
        assert np.allclose(row, [single.supports, single.refutes, single.unrelated], atol=atol)
        assert int(np.argmax(row)) == ["supports", "refutes", "unrelated"].index(single.label)


def test_length_groups_keep_short_pairs_out_of_long_batches() -> None:
    from verify.stance.model import length_groups

    lengths = [150, 40, 160, 45, 38, 42]
    # one batch pads all six to 160 (960 slots); two pad to 45 and 160 (180 + 320 slots)
    assert length_groups(lengths, 32, batch_cost=100) == [[4, 1, 5, 3], [0, 2]]
    # when a batch costs more than the 460 slots a split saves, one batch is cheaper
    assert length_groups(lengths, 32, batch_cost=500) == [[4, 1, 5, 3, 0, 2]]
    # free batches: every distinct length on its own; the batch size always holds
    assert length_groups(lengths, 32, batch_cost=0) == [[4], [1], [5], [3], [0], [2]]
    assert length_groups(lengths, 2, batch_cost=100) == [[4, 1], [5, 3], [0, 2]]
    groups = length_groups(lengths, 32)
    assert sorted(i for g in groups for i in g) == list(range(len(lengths)))   # each pair once
    assert length_groups([], 32) == []


@pytest.mark.real
def test_length_groups_score_as_one_padded_batch(model) -> None:
    one_batch = TransformerStanceModel(model.path, precision=model.precision,
                                       group_by_length=False)
    texts = [SPORTS, SAME, MORE, SAME + " " + SPORTS + " " + MORE]
    grouped = model.predict_batch([CLAIM] * 4, texts)
    padded = one_batch.predict_batch([CLAIM] * 4, texts)
    atol = 1e-4 if model.precision == "fp32" else 0.03   # bf16: padding shifts rounding
    assert np.allclose(grouped, padded, atol=atol)
    assert list(np.argmax(grouped, axis=1)) == list(np.argmax(padded, axis=1))


@pytest.mark.real
def test_same_figure_supports(model) -> None:
    scores = model.predict(CLAIM, SAME)
    assert scores.supports > scores.refutes


@pytest.mark.real
def test_different_figure_refutes(model) -> None:
    scores = model.predict(CLAIM, MORE)
    assert scores.refutes > scores.supports


@pytest.mark.real
def test_unrelated_passage_is_unrelated(model) -> None:
    assert model.predict(CLAIM, SPORTS).label == "unrelated"


def test_backend_needs_its_weights_file(tmp_path) -> None:
    for name in ("config.json", "tokenizer.json", "version.json"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="model.safetensors"):
        TransformerStanceModel(tmp_path, backend="torch")
    with pytest.raises(ModelLoadError, match="model.int8.onnx"):
        TransformerStanceModel(tmp_path, backend="onnx")
    with pytest.raises(ValueError, match="unknown stance backend"):
        TransformerStanceModel(tmp_path, backend="tpu")


@pytest.mark.real
@pytest.mark.parametrize(("claim", "passage"), [
    ("Under the February 29 agreement the US would close five bases within 135 days.",
     "The US will cut its troops to 8,600 and close five of its bases within 135 days."),
    ("In 2019 the council approved the new stadium.",
     "The city council approved plans for the new stadium after a long debate."),
])
def test_a_date_the_passage_never_states_does_not_refute(model, claim, passage) -> None:
    from verify.checks.views import score_stance

    p = score_stance(model, claim, [passage], 0.5)[0]
    assert p[1] < max(p[0], p[2]), p


@pytest.mark.real
def test_a_different_year_still_refutes(model) -> None:
    from verify.checks.views import score_stance

    p = score_stance(model, "In 2019 the council approved the new stadium.",
                     ["In 2017 the city council approved plans for the new stadium."], 0.5)[0]
    assert p[1] > max(p[0], p[2]), p


@pytest.mark.real
def test_a_source_without_the_date_supports_the_rest_and_says_so(model) -> None:
    from verify.checks.pipeline import assess_hits
    from verify.config import Settings
    from verify.types import PassageRef, Reliability, SearchHit

    claim = "Under the February 29 agreement the US would close five bases within 135 days."
    text = "The US will cut its troops to 8,600 and close five of its bases within 135 days."
    hit = SearchHit(PassageRef(1, 1, 0, text, 0, len(text), "t", "https://x.example/1",
                               "x.example", None, "en"), 1, 0.8, 3.0, 0.1)
    result = assess_hits(claim, [hit], stance_model=model, embedder=None, settings=Settings(),
                         reliability=lambda d: Reliability(d or "", 0.8, "test rating"))
    assert result.verdict == "SUPPORTED", result.reason
    assert "claim's date (February 29)" in result.reason
    assert result.evidence[0].p_refutes < 0.3  # 0.45 before the date view
