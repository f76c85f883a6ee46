"""The plugin host: the only module that touches pluggy.

The host is built lazily, on first use, never at import time. It registers the built-in methods
as ordinary named plugins, then loads the ``riskcore`` entry points one at a time, so that one
broken plugin is reported (a warning naming it and its distribution, status ``failed``) and
cannot break the others. ``strict=True`` raises :class:`~riskcore.errors.PluginLoadError`
instead.

Environment variables
---------------------
``RISKCORE_DISABLE_PLUGIN_AUTOLOAD=1``
    Load no entry points (the built-in methods are still there).
``RISKCORE_DISABLED_PLUGINS=a,b``
    Block the plugins with these names.
``RISKCORE_STRICT_PLUGINS=1``
    Strict mode for the default host.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import logging
import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pluggy

from riskcore import hookspecs
from riskcore.errors import PluginLoadError, SpecError
from riskcore.indicators import Indicator

if TYPE_CHECKING:  # the method modules need numpy and pydantic: imported when first used
    from riskcore.guard import GuardedMethod
    from riskcore.methods.base import Aggregator, Normalizer
    from riskcore.methods.impute import Imputer
    from riskcore.methods.outliers import Treatment
    from riskcore.methods.weighting import Weighting

__all__ = [
    "PluginHost",
    "PluginInfo",
    "PluginWarning",
    "Provided",
    "get_host",
    "reset_host",
]

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "riskcore"
BUILTIN_DISTRIBUTION = "riskcore"

T = TypeVar("T")


class PluginWarning(UserWarning):
    """A plugin failed to load, or provides something twice."""


@dataclass(frozen=True)
class Provided(Generic[T]):
    """An object a plugin provides, with where it came from."""

    obj: T
    plugin: str
    distribution: str | None


@dataclass
class PluginInfo:
    """One row of the plugin listing.

    Attributes
    ----------
    name : str
        The plugin name (the entry point name, or the built-in plugin's name).
    version, distribution : str or None
        Of the distribution that declares the plugin.
    status : str
        ``builtin``, ``loaded``, ``failed`` or ``disabled``.
    indicators, normalizers, aggregators, imputers, treatments, weightings : list of str
        What the plugin provides.
    hooks : list of str
        The hooks it implements.
    error : str or None
        Why it failed.
    conflicts : list of str
        Codes or method names this plugin provides that another plugin provides too; none of
        them can be used until one provider is disabled.
    """

    name: str
    version: str | None
    distribution: str | None
    status: str
    indicators: list[str] = field(default_factory=list)
    normalizers: list[str] = field(default_factory=list)
    aggregators: list[str] = field(default_factory=list)
    imputers: list[str] = field(default_factory=list)
    treatments: list[str] = field(default_factory=list)
    weightings: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    error: str | None = None
    conflicts: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``riskcore plugins --format json``."""
        return {
            "name": self.name,
            "version": self.version,
            "distribution": self.distribution,
            "status": self.status,
            **{kind.slot: list(getattr(self, kind.slot)) for kind in KINDS},
            "hooks": list(self.hooks),
            "error": self.error,
            "conflicts": list(self.conflicts),
        }

    def provides(self) -> list[str]:
        """What the plugin provides, as ``riskcore plugins`` lists it: indicator codes, then
        methods as ``kind:name`` (``normalize:minmax``)."""
        return [
            f"{kind.prefix}:{name}" if kind.prefix else name
            for kind in KINDS
            for name in getattr(self, kind.slot)
        ]


def _identity(obj: object) -> object:
    return obj


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def _env_list(name: str) -> list[str]:
    return [p.strip() for p in os.environ.get(name, "").split(",") if p.strip()]


@dataclass(frozen=True)
class Kind:
    """One kind of thing plugins provide: indicators and the five kinds of method.

    :data:`KINDS` lists them once; the host's collection, its getters, the plugin listing and
    the command line's ``plugins`` table all read it.

    Attributes
    ----------
    hook : str
        The collection hook, such as ``riskcore_normalizers``.
    label : str
        What one is called in messages ("normalization method").
    where : str
        ``module:class`` of what the hook must return, imported when first checked.
    slot : str
        The :class:`PluginInfo` attribute listing it, such as ``normalizers``.
    prefix : str
        How ``riskcore plugins`` marks it, such as ``normalize`` (the index file's key);
        empty for indicators.
    """

    hook: str
    label: str
    where: str
    slot: str
    prefix: str

    def key(self, obj: Any) -> str:
        """The code (indicator) or name (method) a provided object goes by."""
        return str(obj.code if self.slot == "indicators" else obj.name)

    def check(self, obj: object) -> bool:
        """Whether ``obj`` is what the hook must return."""
        module, name = self.where.split(":")
        cls = Indicator if name == "Indicator" else getattr(importlib.import_module(module), name)
        return isinstance(obj, cls)


KINDS: tuple[Kind, ...] = (
    Kind("riskcore_indicators", "indicator", ":Indicator", "indicators", ""),
    Kind(
        "riskcore_normalizers",
        "normalization method",
        "riskcore.methods.base:Normalizer",
        "normalizers",
        "normalize",
    ),
    Kind(
        "riskcore_aggregators",
        "aggregation method",
        "riskcore.methods.base:Aggregator",
        "aggregators",
        "aggregate",
    ),
    Kind(
        "riskcore_imputers",
        "imputation method",
        "riskcore.methods.impute:Imputer",
        "imputers",
        "impute",
    ),
    Kind(
        "riskcore_treatments",
        "outlier treatment",
        "riskcore.methods.outliers:Treatment",
        "treatments",
        "outliers",
    ),
    Kind(
        "riskcore_weightings",
        "weighting method",
        "riskcore.methods.weighting:Weighting",
        "weightings",
        "weighting",
    ),
)
_BY_SLOT = {kind.slot: kind for kind in KINDS}


#: The built-in method plugins, registered by name like any third-party plugin: the module of
#: each, and what it provides (by PluginInfo attribute), so that ``riskcore plugins`` can list
#: them without importing them (and numpy and pydantic with them). A test checks the listing
#: against the modules: a method added to a module is added here too.
BUILTIN_PLUGINS: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "riskcore.normalize": (
        "riskcore.methods.normalise",
        {
            "normalizers": (
                "minmax", "zscore", "rank", "percentile", "goalpost", "ratio", "distance",
                "threshold", "categorical", "none",
            )
        },
    ),
    "riskcore.aggregate": (
        "riskcore.methods.aggregate",
        {
            "aggregators": (
                "arithmetic", "geometric", "harmonic", "power_mean", "min", "max", "sum",
                "median", "copeland", "bod",
            )
        },
    ),
    "riskcore.impute": (
        "riskcore.methods.impute",
        {
            "imputers": (
                "none", "constant", "mean", "median", "group_mean", "group_median", "locf",
                "linear",
            )
        },
    ),
    "riskcore.impute_range": (
        "riskcore.methods.impute_range",
        {"imputers": ("group_range", "neighbour_range", "panel_spread")},
    ),
    "riskcore.treat": ("riskcore.methods.outliers", {"treatments": ("none", "winsorise")}),
    "riskcore.weight": (
        "riskcore.methods.weighting",
        {"weightings": ("fixed", "equal", "budget", "ahp", "pca")},
    ),
}  # fmt: skip


_BUILTIN_NAMES = frozenset(BUILTIN_PLUGINS)


class PluginHost:
    """Loads plugins and answers what they provide.

    Parameters
    ----------
    autoload : bool, optional
        Load the ``riskcore`` entry points. Default: true unless
        ``RISKCORE_DISABLE_PLUGIN_AUTOLOAD`` is set.
    disabled : iterable of str, optional
        Plugin names to block. Default: ``RISKCORE_DISABLED_PLUGINS``.
    strict : bool, optional
        Raise :class:`PluginLoadError` on the first plugin that fails. Default:
        ``RISKCORE_STRICT_PLUGINS``.
    plugins : mapping of str to object, optional
        Extra plugins (modules, objects, :class:`Indicator` objects) to register under these
        names, after the entry points: handy in tests and notebooks.

    Examples
    --------
    >>> from riskcore import PluginHost
    >>> host = PluginHost(autoload=False)
    >>> sorted(host.aggregators())[:3]
    ['arithmetic', 'geometric', 'harmonic']
    """

    def __init__(
        self,
        *,
        autoload: bool | None = None,
        disabled: Iterable[str] | None = None,
        strict: bool | None = None,
        plugins: Mapping[str, object] | None = None,
    ) -> None:
        self.autoload = (
            not _env_flag("RISKCORE_DISABLE_PLUGIN_AUTOLOAD") if autoload is None else autoload
        )
        self.disabled = (
            set(_env_list("RISKCORE_DISABLED_PLUGINS")) if disabled is None else set(disabled)
        )
        self.strict = _env_flag("RISKCORE_STRICT_PLUGINS") if strict is None else strict
        self._extra = dict(plugins or {})
        self._pm: pluggy.PluginManager | None = None
        self._infos: dict[str, PluginInfo] = {}
        self._provided: dict[str, dict[str, list[Provided[Any]]]] | None = None
        self._listing = False  # built-in plugins from BUILTIN_PLUGINS, their modules not loaded
        self._guarded: dict[tuple[str, str], GuardedMethod] = {}

    # -- building -------------------------------------------------------------------------
    @property
    def pm(self) -> pluggy.PluginManager:
        """The pluggy manager, built on first use."""
        if self._pm is None:
            self._pm = self._build()
        return self._pm

    def _build(self) -> pluggy.PluginManager:
        from riskcore import __version__

        pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        pm.add_hookspecs(hookspecs)
        for name, (module, _) in BUILTIN_PLUGINS.items():
            status = "disabled" if name in self.disabled else "builtin"
            self._infos[name] = PluginInfo(name, __version__, BUILTIN_DISTRIBUTION, status)
            if status == "builtin" and not self._listing:
                pm.register(importlib.import_module(module), name=name)
        for name in sorted(self.disabled):
            pm.set_blocked(name)
        if self.autoload:
            for ep in sorted(
                importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
            ):
                self._load_entry_point(pm, ep)
        for name, plugin in self._extra.items():
            self._register(pm, name, functools.partial(_identity, plugin), None, None)
        return pm

    def _load_entry_point(
        self, pm: pluggy.PluginManager, ep: importlib.metadata.EntryPoint
    ) -> None:
        dist = getattr(ep, "dist", None)
        dist_name = dist.metadata["Name"] if dist is not None else None
        version = dist.version if dist is not None else None
        if ep.name in self._infos:
            self._fail(
                PluginInfo(ep.name, version, dist_name, "failed"),
                f"another plugin is already registered as '{ep.name}'",
            )
            return
        self._register(pm, ep.name, ep.load, dist_name, version)

    def _register(
        self,
        pm: pluggy.PluginManager,
        name: str,
        load: Callable[[], object],
        dist_name: str | None,
        version: str | None,
    ) -> None:
        info = PluginInfo(name, version, dist_name, "loaded")
        if name in self.disabled:
            info.status = "disabled"
            self._infos[name] = info
            log.info("plugin %s is disabled", name)
            return
        try:
            plugin = load()
            pm.register(plugin, name=name)
        except BaseException as exc:  # a broken plugin must not break the host, even one that
            # raises SystemExit or another BaseException at import
            if pm.has_plugin(name):
                pm.unregister(name=name)
            self._fail(info, f"{type(exc).__name__}: {exc}", exc)
            return
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            pm.unregister(name=name)
            self._fail(info, str(exc), exc)
            return
        self._infos[name] = info

    def _fail(self, info: PluginInfo, message: str, exc: BaseException | None = None) -> None:
        info.status = "failed"
        info.error = message
        self._infos[info.name] = info
        dist = f" (distribution {info.distribution})" if info.distribution else ""
        text = f"riskcore plugin '{info.name}'{dist} failed: {message}"
        if self.strict:
            raise PluginLoadError(
                f"{text} (strict mode: RISKCORE_STRICT_PLUGINS)",
                plugin=info.name,
                distribution=info.distribution,
            ) from exc
        warnings.warn(f"{text}; it was skipped", PluginWarning, stacklevel=4)

    # -- collecting -------------------------------------------------------------------------
    def _collect(self) -> dict[str, dict[str, list[Provided[Any]]]]:
        if self._provided is not None:
            return self._provided
        pm = self.pm
        provided: dict[str, dict[str, list[Provided[Any]]]] = {}
        for kind in KINDS:
            table: dict[str, list[Provided[Any]]] = {}
            for name, (_, names) in BUILTIN_PLUGINS.items() if self._listing else ():
                info = self._infos[name]
                if info.status == "builtin" and names.get(kind.slot):
                    for key in names[kind.slot]:
                        table.setdefault(key, []).append(Provided(None, name, info.distribution))
                    getattr(info, kind.slot).extend(names[kind.slot])
                    info.hooks.append(kind.hook)
            caller = getattr(pm.hook, kind.hook)
            for impl in caller.get_hookimpls():  # registration order
                info = self._infos[impl.plugin_name]
                if info.status == "failed":
                    continue
                try:
                    items = list(impl.function())  # collection hooks take no arguments
                    bad = [o for o in items if not kind.check(o)]
                    if bad:
                        article = "an" if kind.label[0] in "aeiou" else "a"
                        raise TypeError(
                            f"{kind.hook}() returned {bad[0]!r}, not {article} {kind.label}"
                        )
                except BaseException as exc:  # SystemExit and the like too
                    self._fail(info, f"{kind.hook}() raised {type(exc).__name__}: {exc}", exc)
                    continue
                for obj in items:
                    key = kind.key(obj)
                    table.setdefault(key, []).append(
                        Provided(obj, impl.plugin_name, info.distribution)
                    )
                    getattr(info, kind.slot).append(key)
            for key, providers in table.items():
                if len(providers) > 1:
                    for p in providers:
                        self._infos[p.plugin].conflicts.append(key)
                    text = self._duplicate_message(kind.label, key, providers)
                    if self.strict:
                        raise PluginLoadError(text, plugin=providers[-1].plugin)
                    warnings.warn(text, PluginWarning, stacklevel=3)
            provided[kind.hook] = table
        for name, info in self._infos.items():
            plugin = pm.get_plugin(name)
            if plugin is not None and info.status != "failed":
                info.hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
        self._provided = provided
        return provided

    @staticmethod
    def _duplicate_message(label: str, key: str, providers: list[Provided[Any]]) -> str:
        who = ", ".join(
            f"plugin '{p.plugin}'" + (f" (distribution {p.distribution})" if p.distribution else "")
            for p in providers
        )
        return (
            f"{label} '{key}' is provided by more than one plugin: {who}; "
            "disable all but one with RISKCORE_DISABLED_PLUGINS"
        )

    def _unique(self, hook: str) -> dict[str, Provided[Any]]:
        return {k: v[0] for k, v in self._collect()[hook].items() if len(v) == 1}

    def _lookup(self, slot: str, key: str) -> Provided[Any]:
        kind = _BY_SLOT[slot]
        providers = self._collect()[kind.hook].get(key, [])
        if len(providers) > 1:
            raise SpecError(self._duplicate_message(kind.label, key, providers))
        if not providers:
            known = ", ".join(sorted(self._collect()[kind.hook])) or "none"
            raise SpecError(f"unknown {kind.label} '{key}' (known: {known})")
        return providers[0]

    def method(self, slot: str, name: str) -> Any:
        """The method of a kind (a :class:`Kind` slot, such as ``"normalizers"``) with this
        name; :class:`SpecError` naming the known ones if there is none, or every provider
        when there are several. The typed getters below are this for one kind each.

        A plugin's method comes wrapped in a :class:`~riskcore.guard.GuardedMethod`, so that
        its faults are a :class:`~riskcore.errors.MethodError` naming it and its plugin;
        riskcore's own methods come as they are."""
        provided = self._lookup(slot, name)
        if provided.plugin in _BUILTIN_NAMES:
            return provided.obj
        from riskcore.guard import CONTRACTS, GuardedMethod  # numpy: only for a plugin's method

        if (slot, name) not in self._guarded:
            self._guarded[slot, name] = GuardedMethod(
                provided.obj,
                CONTRACTS[slot],
                _BY_SLOT[slot].label,
                provided.plugin,
                provided.distribution,
                PluginWarning,
            )
        return self._guarded[slot, name]

    # -- public queries ---------------------------------------------------------------------
    def indicators(self) -> dict[str, Provided[Indicator]]:
        """Indicators by code, each with its plugin (codes provided twice are left out)."""
        return self._unique("riskcore_indicators")

    def normalizers(self) -> dict[str, Normalizer]:
        """Normalisation methods by name (names provided twice are left out)."""
        return {k: p.obj for k, p in self._unique("riskcore_normalizers").items()}

    def aggregators(self) -> dict[str, Aggregator]:
        """Aggregation methods by name (names provided twice are left out)."""
        return {k: p.obj for k, p in self._unique("riskcore_aggregators").items()}

    def indicator(self, code: str) -> Provided[Indicator] | None:
        """The indicator with this code and its plugin, or None when no plugin provides it.

        Raises
        ------
        SpecError
            When more than one plugin provides the code, naming every provider.
        """
        if code not in self._collect()["riskcore_indicators"]:
            return None
        return self._lookup("indicators", code)

    def normalizer(self, name: str) -> Normalizer:
        """The normalisation method with this name; :class:`SpecError` if unknown."""
        found: Normalizer = self.method("normalizers", name)
        return found

    def aggregator(self, name: str) -> Aggregator:
        """The aggregation method with this name; :class:`SpecError` if unknown."""
        found: Aggregator = self.method("aggregators", name)
        return found

    def imputer(self, name: str) -> Imputer:
        """The imputation method with this name; :class:`SpecError` if unknown."""
        found: Imputer = self.method("imputers", name)
        return found

    def treatment(self, name: str) -> Treatment:
        """The outlier treatment with this name; :class:`SpecError` if unknown."""
        found: Treatment = self.method("treatments", name)
        return found

    def weighting(self, name: str) -> Weighting:
        """The weighting method with this name; :class:`SpecError` if unknown."""
        found: Weighting = self.method("weightings", name)
        return found

    def list_plugins(self) -> list[PluginInfo]:
        """Every plugin the host knows, with name, version, distribution, status and hooks.

        A host not yet used lists the built-in plugins from :data:`BUILTIN_PLUGINS`, without
        importing their modules (so ``riskcore plugins`` needs neither numpy nor pydantic unless
        an installed plugin does), and loads the entry points as it always does.
        """
        host = self
        if self._pm is None:
            host = PluginHost(
                autoload=self.autoload, disabled=self.disabled, strict=self.strict,
                plugins=self._extra,
            )  # fmt: skip
            host._listing = True
        host._collect()
        return sorted(host._infos.values(), key=lambda i: (i.status != "builtin", i.name))


_default: PluginHost | None = None


def get_host() -> PluginHost:
    """The default host, configured from the environment and built on first use."""
    global _default
    if _default is None:
        _default = PluginHost()
    return _default


def reset_host() -> None:
    """Forget the default host, so the next :func:`get_host` reads the environment again."""
    global _default
    _default = None
