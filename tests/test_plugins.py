"""The plugin host, with plugins registered in-process (entry points: test_plugin_package)."""

from __future__ import annotations

import subprocess
import sys
import types
from typing import Any

import numpy as np
import pytest

import riskcore
from riskcore.methods.base import MethodBase, MethodParams
from tests.helpers import panel


def make_indicator(code: str, variable: str = "v0") -> riskcore.Indicator:
    return riskcore.Indicator(
        code=code, name=code.title(), unit="-", higher_is_riskier=True,
        requires=(variable,), compute=lambda d: np.asarray(d[variable]) * 2,
    )  # fmt: skip


class Spread(MethodBase):
    """Max minus min of the children: a user's own aggregation."""

    name = "spread"
    description = "max - min"

    def __call__(self, values: Any, weights: Any, params: Any) -> Any:
        v = np.where(weights > 0, values, np.nan)
        return np.nanmax(v, axis=-1) - np.nanmin(v, axis=-1)


class ShiftParams(MethodParams):
    by: float = 0.0


class Shift(MethodBase):
    """Goalposts 0..1 moved by a parameter: a user's own normalisation."""

    name = "shift"
    description = "x + by, clipped to 0..1"
    center = 0.5
    Params = ShiftParams

    def __call__(self, values: Any, params: Any, *, axis: tuple[int, ...]) -> Any:
        return np.clip(values + params.by, 0, 1)


def module_plugin(**hooks: Any) -> types.ModuleType:
    mod = types.ModuleType("user_plugin")
    for name, fn in hooks.items():
        setattr(mod, name, riskcore.hookimpl(fn))
    return mod


def test_builtins_are_named_plugins() -> None:
    host = riskcore.PluginHost(autoload=False)
    infos = {i.name: i for i in host.list_plugins()}
    assert infos["riskcore.normalize"].status == "builtin"
    assert set(infos["riskcore.normalize"].normalizers) >= {
        "minmax", "zscore", "rank", "percentile", "goalpost",
    }  # fmt: skip
    assert "riskcore_aggregators" in infos["riskcore.aggregate"].hooks
    assert host.indicators() == {}


def test_entry_points_load_by_default() -> None:
    host = riskcore.PluginHost()
    assert set(host.indicators()) >= {
        "diaspora_size", "institutional_sophistication", "crackdown_propensity",
    }  # fmt: skip


def test_autoload_off_and_disabled_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKCORE_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert riskcore.PluginHost().indicators() == {}
    monkeypatch.delenv("RISKCORE_DISABLE_PLUGIN_AUTOLOAD")
    monkeypatch.setenv("RISKCORE_DISABLED_PLUGINS", "diaspora_size, crackdown_propensity")
    host = riskcore.PluginHost()
    assert set(host.indicators()) == {
        "institutional_sophistication", "diaspora_activism", "moscow_leverage",
        "emigrant_incidents", "structural_ties", "remittance_dependence", "trade_dependence",
        "russian_minority",
    }  # fmt: skip
    status = {i.name: i.status for i in host.list_plugins()}
    assert status["diaspora_size"] == "disabled"
    spec = riskcore.parse_index('[index]\nname = "T"\nchildren = ["diaspora_size"]\n')
    with pytest.raises(
        riskcore.SpecError, match="disabled plugins: crackdown_propensity, diaspora"
    ):
        riskcore.score(spec, panel(np.ones((1, 2, 1))), host=host)


def test_an_indicator_object_is_a_plugin_and_scores() -> None:
    host = riskcore.PluginHost(autoload=False, plugins={"mine": make_indicator("doubled")})
    spec = riskcore.parse_index('[index]\nname = "T"\nchildren = ["doubled"]\n')
    s = riskcore.score(spec, panel(np.array([[[1.0], [3.0]]])), host=host)
    np.testing.assert_allclose(s.raw[0, :, 0], [2.0, 6.0])
    assert host.indicator("doubled").plugin == "mine"  # type: ignore[union-attr]


def test_user_methods_are_selected_by_name_in_an_index_file() -> None:
    mod = module_plugin(
        riskcore_aggregators=lambda: [Spread()], riskcore_normalizers=lambda: [Shift()]
    )
    host = riskcore.PluginHost(autoload=False, plugins={"user_methods": mod})
    text = (
        '[index]\nname = "T"\naggregation = "spread"\nchildren = ["v0", "v1"]\n'
        '[defaults]\nnormalize = { method = "shift", by = 0.1 }\n'
        '[indicator.v0]\ndirection = "higher_is_riskier"\n'
        '[indicator.v1]\ndirection = "higher_is_riskier"\n'
    )
    x = np.array([[[0.2], [0.5]], [[0.6], [0.5]]])
    s = riskcore.score(riskcore.parse_index(text), panel(x), host=host)
    np.testing.assert_allclose(s.score[:, 0], [40.0, 0.0])
    info = {i.name: i for i in host.list_plugins()}["user_methods"]
    assert info.aggregators == ["spread"] and info.normalizers == ["shift"]


def test_duplicate_codes_name_every_provider() -> None:
    host = riskcore.PluginHost(
        autoload=False, plugins={"first": make_indicator("same"), "second": make_indicator("same")}
    )
    with pytest.warns(riskcore.PluginWarning, match="'first'.*'second'"):
        assert "same" not in host.indicators()
    infos = {i.name: i for i in host.list_plugins()}
    assert infos["first"].conflicts == ["same"] and infos["second"].conflicts == ["same"]
    assert infos["first"].to_dict()["conflicts"] == ["same"]
    spec = riskcore.parse_index('[index]\nname = "T"\nchildren = ["same"]\n')
    with pytest.raises(riskcore.SpecError, match="more than one plugin"):
        riskcore.score(spec, panel(np.ones((1, 2, 1))), host=host)
    strict = riskcore.PluginHost(
        autoload=False,
        strict=True,
        plugins={"first": make_indicator("same"), "second": make_indicator("same")},
    )
    with pytest.raises(riskcore.PluginLoadError, match="more than one plugin"):
        strict.indicators()


def test_a_hook_that_raises_marks_its_plugin_failed_only() -> None:
    def broken() -> list[Any]:
        raise RuntimeError("cannot reach the database")

    host = riskcore.PluginHost(
        autoload=False,
        plugins={"bad": module_plugin(riskcore_indicators=broken), "good": make_indicator("ok")},
    )
    with pytest.warns(riskcore.PluginWarning, match="'bad'.*cannot reach the database"):
        assert set(host.indicators()) == {"ok"}
    status = {i.name: (i.status, i.error) for i in host.list_plugins()}
    assert status["bad"][0] == "failed" and "RuntimeError" in (status["bad"][1] or "")
    assert status["good"][0] == "loaded"


def test_a_hook_returning_the_wrong_type_fails_its_plugin() -> None:
    host = riskcore.PluginHost(
        autoload=False, plugins={"bad": module_plugin(riskcore_indicators=lambda: ["nope"])}
    )
    with pytest.warns(riskcore.PluginWarning, match="not an indicator"):
        host.indicators()
    strict = riskcore.PluginHost(
        autoload=False,
        strict=True,
        plugins={"bad": module_plugin(riskcore_indicators=lambda: ["nope"])},
    )
    with pytest.raises(riskcore.PluginLoadError):
        strict.indicators()


def test_unknown_hook_names_are_rejected() -> None:
    mod = module_plugin(riskcore_indicatorz=lambda: [])
    with pytest.warns(riskcore.PluginWarning, match="unknown hook"):
        host = riskcore.PluginHost(autoload=False, plugins={"typo": mod})
        host.list_plugins()
    assert {i.name: i.status for i in host.list_plugins()}["typo"] == "failed"


def test_the_default_host_is_built_lazily_and_reset() -> None:
    riskcore.reset_host()
    host = riskcore.get_host()
    assert host._pm is None
    assert riskcore.get_host() is host
    riskcore.reset_host()
    assert riskcore.get_host() is not host


@pytest.mark.parametrize("disabled", [(), ("riskcore.treat", "diaspora_size")])
def test_the_quick_listing_is_the_listing_of_the_loaded_modules(disabled: tuple[str, ...]) -> None:
    """A fresh host lists the built-in plugins from BUILTIN_PLUGINS, without their modules;
    after use it lists what the modules provide. The two agree (add a new built-in method to
    riskcore.plugins.BUILTIN_PLUGINS when this fails)."""
    quick = riskcore.PluginHost(disabled=disabled).list_plugins()
    used = riskcore.PluginHost(disabled=disabled)
    used.aggregator("arithmetic")
    assert [i.to_dict() for i in quick] == [i.to_dict() for i in used.list_plugins()]


def test_riskcore_plugins_imports_neither_numpy_nor_pydantic() -> None:
    code = (
        "import contextlib, io, sys, riskcore.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out: riskcore.cli.main(['plugins'])\n"
        "loaded = [m for m in ('numpy', 'pydantic') if m in sys.modules]\n"
        "print(loaded, 'diaspora_size' in out.getvalue()); sys.exit(1 if loaded else 0)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.split() == ["[]", "True"]


class Broken(MethodBase):
    """An aggregation whose helper fails: the method, not the index file, is at fault."""

    name = "broken_mean"
    description = "fails"

    def __call__(self, values: Any, weights: Any, params: Any) -> Any:
        return self._helper(values)

    @staticmethod
    def _helper(values: Any) -> Any:
        return values.sum(axis=7)  # numpy.exceptions.AxisError, a ValueError


BROKEN_INDEX = (
    '[index]\nname = "T"\naggregation = "broken_mean"\nchildren = ["v0", "v1"]\n'
    '[indicator.v0]\ndirection = "higher_is_riskier"\n'
    '[indicator.v1]\ndirection = "higher_is_riskier"\n'
)


def test_a_failing_method_plugin_is_named_with_its_plugin_not_the_index_file(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mod = module_plugin(riskcore_aggregators=lambda: [Broken()])
    host = riskcore.PluginHost(autoload=False, plugins={"my_methods": mod})
    index = tmp_path / "index.toml"
    index.write_text(BROKEN_INDEX)
    data = tmp_path / "data.csv"
    data.write_text("country,year,v0,v1\nARM,2020,1,2\nGEO,2020,3,4\n")
    with pytest.raises(riskcore.MethodError) as err:
        riskcore.score(index, data, host=host)
    assert (err.value.kind, err.value.name, err.value.plugin) == (
        "aggregation method", "broken_mean", "my_methods",
    )  # fmt: skip
    assert "raised AxisError" in str(err.value)
    assert "index.toml" not in str(err.value)
    # on the command line: a plugin fault (exit 1), named, in any command
    from riskcore import cli, plugins

    monkeypatch.setattr(plugins, "_default", host)
    for command in (["score"], ["audit"]):
        assert cli.main([*command, str(index), "--data", str(data)]) == 1
        message = capsys.readouterr().err
        assert "plugin fault: aggregation method 'broken_mean' (plugin 'my_methods')" in message
        assert "index.toml" not in message and "Traceback" not in message
