"""Regression tests for problems found in review (each named after what it guards)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import riskcore
from riskcore.cli import main
from tests.helpers import flat_index, panel, score


def test_explain_uses_the_weights_a_weighting_method_set() -> None:
    rng = np.random.default_rng(3)
    f = rng.normal(size=(40, 1))
    x = np.column_stack([f, f + 0.1 * rng.normal(size=(40, 1)), rng.normal(size=(40, 1))])
    data = panel(x.T.reshape(3, 8, 5))
    spec = flat_index(3)
    doc = spec.model_dump(exclude_none=True)
    doc["index"]["weighting"] = {"method": "pca"}
    s = score(riskcore.parse_index(doc), data)
    used = s.weights["index"]
    assert not np.allclose(list(used.values()), 1 / 3)
    ex = s.explain(s.countries[0], s.years[0])
    for c in ex.contributions:
        assert c.weight == pytest.approx(used[c.code])
        assert c.contribution == pytest.approx(100 * used[c.code] * c.normalized)
    assert sum(c.contribution for c in ex.contributions) == pytest.approx(ex.score)


def test_explain_is_exact_when_contributions_cancel() -> None:
    data = panel(np.array([[[-1.0], [1.0]], [[1.0], [-1.0]]]))
    s = score(flat_index(2, normalize='"zscore"'), data)
    ex = s.explain(s.countries[0])
    assert ex.exact and ex.score == pytest.approx(0.0)
    got = {c.code: c.contribution for c in ex.contributions}
    z = s.normalized[:, 0, 0]
    assert got == pytest.approx({"v0": 50 * z[0], "v1": 50 * z[1]})
    assert got["v0"] != 0


def test_provenance_and_missing_inputs_include_the_denominator() -> None:
    x = np.array([[[10.0], [30.0]], [[1000.0], [np.nan]]])
    text = (
        '[index]\nname = "T"\nchildren = ["v0"]\n'
        '[indicator.v0]\ndirection = "higher_is_riskier"\ndenominator = "v1"\n'
    )
    s = score(riskcore.parse_index(text), panel(x))
    assert [p.variable for p in s.provenance("ARM")["v0"]] == ["v0", "v1"]
    assert s.missing_inputs("AZE") == {"v0": ["v1"]}


def test_lower_is_riskier_ranks_are_the_mirror_of_higher() -> None:
    x = np.array([[[1.0], [2.0], [2.0], [4.0]]])
    for method in ('"percentile"', '"rank"'):
        up = score(flat_index(1, normalize=method), panel(x))
        down = score(flat_index(1, normalize=method, lower_is_riskier=[0]), panel(-x))
        np.testing.assert_allclose(up.normalized, down.normalized)
    down = score(flat_index(1, normalize='"percentile"', lower_is_riskier=[0]), panel(x))
    np.testing.assert_allclose(down.normalized[0, :, 0], [1, 0.5, 0.5, 0.25])


def test_a_disabled_builtin_is_listed_as_disabled() -> None:
    host = riskcore.PluginHost(autoload=False, disabled=["riskcore.treat"])
    status = {i.name: i.status for i in host.list_plugins()}
    assert status["riskcore.treat"] == "disabled"
    assert status["riskcore.normalize"] == "builtin"


def test_many_weight_sets_over_one_data_set() -> None:
    data = panel(np.array([[[0.0], [1.0]], [[1.0], [0.0]]]))
    s = score(flat_index(2), data)
    w = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    ev = riskcore.evaluate(s.plan, s.values, weights={"index": w})
    np.testing.assert_allclose(ev.score[:, :, 0], [[0, 100], [100, 0], [50, 50]])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[index]\nname = "T"\nchildren = { a = true }\n', "index.children"),
        ('[index]\nname = "T"\nchildren = { a = "1" }\n', "index.children"),
        ('[index]\nname = "T"\ncode = "my index!"\nchildren = ["a"]\n', "index.code"),
    ],
)
def test_loose_values_are_rejected(text: str, key: str) -> None:
    with pytest.raises(riskcore.SpecError) as err:
        riskcore.parse_index(text, path="t.toml")
    assert (err.value.key or "").startswith(key)


def test_a_failing_indicator_is_a_fault_not_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "index.toml").write_text('[index]\nname = "T"\nchildren = ["diaspora_size"]\n')
    (tmp_path / "data.csv").write_text("country,year,diaspora_stock,population\nARM,2022,1,2\n")
    import riskcore_plugins.diaspora_size as plugin

    def boom(data: object) -> np.ndarray:
        raise ZeroDivisionError("broken plugin")

    original = plugin.diaspora_size.compute
    object.__setattr__(plugin.diaspora_size, "compute", boom)  # Indicator is frozen
    try:
        code = main(["score", str(tmp_path / "index.toml"), "--data", str(tmp_path / "data.csv")])
    finally:
        object.__setattr__(plugin.diaspora_size, "compute", original)
    err = capsys.readouterr().err
    assert code == 1
    assert "diaspora_size" in err and "plugin fault" in err and "Traceback" not in err
