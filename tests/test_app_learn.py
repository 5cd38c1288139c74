"""History → Learned verdicts, driven with AppTest on a demo workspace of its own whose
checks were reviewed (real models), so the other app tests never see a learned head."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def reviewed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A VERIFY_HOME whose demo workspace has 60 reviewed checks (reviews: the true
    figures SUPPORTED, changed ones REFUTED)."""
    from verify.check import check_claims
    from verify.demo import ensure_demo_workspace

    home = tmp_path_factory.mktemp("learn-home")
    ws = ensure_demo_workspace(home / "demo")
    true = ["IS-K killed 338 civilians in Pakistan since 2017",
            "The Jalalabad prison held 1,700 prisoners"]
    changed = [f"IS-K killed {n} civilians in Pakistan since 2017" for n in ("3,000", "90")]
    changed += [f"The Jalalabad prison held {n} prisoners" for n in ("17,000", "300")]
    claims = (true + changed) * 10
    for result, claim in zip(check_claims(ws, claims), claims, strict=True):
        ws.review(result.check_id, "SUPPORTED" if claim in true else "REFUTED", "test desk")
    ws.close()
    return home


def test_learn_from_reviews_then_switch_off(reviewed_home: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERIFY_HOME", str(reviewed_home))
    monkeypatch.delenv("VERIFY_WORKSPACE", raising=False)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    app.run()
    app.switch_page("app_pages/history.py")
    app.run()
    assert not app.exception, app.exception
    assert any("**60**" in str(m.value) for m in app.markdown)
    next(b for b in app.button if b.label == "Learn from reviews").click()
    app.run()
    assert not app.exception, app.exception
    flashed = " ".join(str(s.value) for s in app.success)
    assert "cross-validated macro-F1 on 60 reviews" in flashed, flashed
    heads = next(df.value for df in app.dataframe if "cv_head_f1" in df.value.columns)
    assert len(heads) == 1 and list(heads["n_reviews"]) == [60]
    if bool(heads["active"].iloc[0]):     # switched on only when it beat the rule
        next(b for b in app.button if b.label == "Switch learned verdicts off").click()
        app.run()
        assert not app.exception, app.exception
        assert any("switched off" in str(s.value) for s in app.success)
    else:
        assert "not activated" in flashed
    assert not any(b.label == "Switch learned verdicts off" for b in app.button)
