"""Compiling an index: the spec bound to plugins, methods and weights, as a :class:`Plan`.

Compiling resolves the tree once: every leaf is bound to a plugin indicator or a data variable and
to its treatment and normalisation methods; every node to its weighting and aggregation methods;
weights become arrays. Errors name the index file and the key path.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from riskcore._strict import plain
from riskcore.assumptions import Assumptions
from riskcore.derived import DerivedVariable, compile_derived, expand
from riskcore.errors import DataError, SpecError
from riskcore.indicators import Indicator
from riskcore.methods.base import Aggregator, MethodParams, Normalizer, params_from
from riskcore.methods.impute import Imputer
from riskcore.methods.outliers import Treatment
from riskcore.methods.weighting import WeightContext, Weighting
from riskcore.plugins import PluginHost, get_host
from riskcore.spec import IndexSpec, MethodChoice, Unranged
from riskcore.tree import (
    check_aggregation,
    check_left_out,
    effective_leaf_weights,
    locate,
    weighted_children,
)

__all__ = [
    "LeafPlan",
    "NodePlan",
    "Plan",
    "check_aggregation",
    "check_left_out",
    "compile_plan",
    "effective_leaf_weights",
    "locate",
    "resolve_normalization",
    "weighted_children",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class LeafPlan:
    """A leaf of the compiled tree.

    Attributes
    ----------
    code, name, unit : str
    higher_is_riskier : bool
    indicator : Indicator or None
        The plugin indicator that computes the leaf, or None for a raw data variable.
    plugin : str or None
        The plugin that provides it.
    requires : tuple of str
        The data variables the leaf reads.
    normalizer : Normalizer
    normalize_params : MethodParams
    per_year : bool
    denominator : str or None
        Data variable the indicator is divided by, then multiplied by ``multiplier``.
    imputer, treatment
        The imputation method and outlier treatment, with their parameters and names.
    round : int or None
        Decimals of the normalised value on the index scale.
    missing : str
        What a missing value means: ``unknown``, ``not_applicable`` or ``structural_zero``.
    per_year_default : bool or None
        The ``per_year`` a method chosen for this leaf takes when it does not set its own (the
        indicator's, else ``[defaults]``'s): how an uncertainty alternative is compiled.
    """

    code: str
    name: str
    unit: str | None
    higher_is_riskier: bool
    indicator: Indicator | None
    plugin: str | None
    requires: tuple[str, ...]
    normalizer: Normalizer
    normalize_params: MethodParams
    normalize_method: str
    per_year: bool
    denominator: str | None = None
    multiplier: float = 1.0
    imputer: Imputer | None = None
    impute_params: MethodParams | None = None
    impute_method: str = "none"
    treatment: Treatment | None = None
    treat_params: MethodParams | None = None
    treat_method: str = "none"
    round: int | None = None
    missing: str = "unknown"
    sources: tuple[str, ...] | None = None
    per_year_default: bool | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every data variable the leaf reads, the denominator included; a derived variable
        stands for the data variables its formula rests on (its provenance)."""
        if self.sources is not None:
            return self.sources
        return self.requires + ((self.denominator,) if self.denominator else ())


@dataclass(frozen=True)
class NodePlan:
    """An inner node (or the root) of the compiled tree.

    Attributes
    ----------
    code, name : str
    children : tuple of int
        Slots of the children: ``0..n_leaves-1`` are leaves, then nodes in :attr:`Plan.nodes`
        order offset by ``n_leaves``.
    weights : ndarray, shape (k,)
        The weights used: as given in the file, or set by a weighting method that does not
        depend on the data (not normalised).
    aggregator : Aggregator
    min_coverage : float
    weighting : Weighting or None
        A data-driven weighting, applied as the node is aggregated (None: ``weights``).
    child_codes : tuple of str
    round : int or None
        Decimals of the node's value on the index scale.
    points : bool
        The aggregation adds points (``sum``): weights are used as given, not rescaled over the
        children present, and the node's value on the index scale is its number of points.
    required : tuple of int
        Positions (in ``children``) of the children that must be present.
    floor, ceiling : float or None
        Bounds of the node's value on the index scale, applied after rounding.
    """

    code: str
    name: str
    children: tuple[int, ...]
    weights: FloatArray
    aggregator: Aggregator
    aggregate_params: MethodParams
    aggregate_method: str
    min_coverage: float
    weighting: Weighting | None = None
    weighting_params: MethodParams | None = None
    weighting_method: str = "fixed"
    child_codes: tuple[str, ...] = ()
    round: int | None = None
    points: bool = False
    required: tuple[int, ...] = ()
    floor: float | None = None
    ceiling: float | None = None

    @property
    def adjusted(self) -> bool:
        """Whether the node's value is rounded or bounded after aggregation (it is then not
        the exact aggregate of its children)."""
        return self.round is not None or self.floor is not None or self.ceiling is not None


@dataclass(frozen=True)
class Plan:
    """An index compiled for evaluation: leaves, nodes in post-order (root last), scale, and
    the uncertain assumptions the index file declares in its ``[uncertainty]`` table (parsed
    once, with the index).

    ``unranged`` is the index's ``[defaults.unranged]`` table (the relative uncertainty of values
    without a range), None when the index sets none.
    """

    code: str
    name: str
    scale: tuple[float, float]
    leaves: tuple[LeafPlan, ...]
    nodes: tuple[NodePlan, ...]
    path: str | None = None
    leaf_weights: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    screen: float | None = None
    screen_on: str = "observed"
    bands: tuple[tuple[str, float], ...] = ()
    assumptions: Assumptions | None = None
    unranged: Unranged | None = None
    derived: tuple[DerivedVariable, ...] = ()

    @property
    def slot_codes(self) -> list[str]:
        """Codes of every slot: leaves, then nodes."""
        return [leaf.code for leaf in self.leaves] + [n.code for n in self.nodes]

    @property
    def variables(self) -> list[str]:
        """Every data variable the plan reads."""
        out: dict[str, None] = {}
        for leaf in self.leaves:
            for v in leaf.inputs:
                out.setdefault(v, None)
        return list(out)


def resolve_method(
    choice: MethodChoice,
    lookup: Any,
    *,
    path: str | None,
    key: str,
    reserved: tuple[str, ...] = (),
) -> tuple[Any, MethodParams]:
    """A method looked up by name and its parameters validated, or SpecError naming ``key``
    (and the parameter's own key under it)."""
    try:
        method = lookup(choice.method)
    except SpecError as exc:
        raise SpecError(
            exc.detail, path=path, key=f"{key}.method" if choice.params else key
        ) from None
    raw = {k: v for k, v in choice.params.items() if k not in reserved}
    try:
        params = params_from(method, raw)
    except ValidationError as exc:
        parts = []
        first_key = key
        for n, err in enumerate(exc.errors()):
            sub = ".".join(str(p) for p in err["loc"])
            what = "unknown parameter" if err["type"] == "extra_forbidden" else plain(err)
            if err["type"] == "missing":
                what = f"required parameter of method '{choice.method}' is missing"
            full = f"{key}.{sub}" if sub else key
            first_key = full if n == 0 else first_key
            parts.append(what if n == 0 else f"key '{full}': {what}")
        raise SpecError("; ".join(parts), path=path, key=first_key) from None
    return method, params


def resolve_normalization(
    choice: MethodChoice,
    host: PluginHost,
    *,
    path: str | None,
    key: str,
    per_year: bool,
    scale: tuple[float, float],
) -> tuple[Normalizer, MethodParams, bool]:
    """A normalisation method chosen in a file, with its parameters and ``per_year`` option,
    by the same rules wherever it is chosen (an indicator, ``[defaults]``, an uncertainty
    alternative).

    Parameters
    ----------
    choice : MethodChoice
    host : PluginHost
    path, key : str
        Where the choice is written, for messages.
    per_year : bool
        The ``per_year`` that applies when the choice does not set its own.
    scale : (float, float)
        The index scale, which a ``range`` parameter must lie within.

    Returns
    -------
    (normalizer, params, per_year)
    """
    normalizer, params = resolve_method(
        choice, host.normalizer, path=path, key=key, reserved=("per_year",)
    )
    span = getattr(params, "range", None)
    if span is not None and not scale[0] <= span[0] < span[1] <= scale[1]:
        raise SpecError(
            f"range {list(span)} must lie within the index scale {list(scale)}",
            path=path,
            key=f"{key}.range",
        )
    own = choice.params.get("per_year", per_year)
    if not isinstance(own, bool):
        raise SpecError("per_year must be true or false", path=path, key=f"{key}.per_year")
    return normalizer, params, own


def _choice(
    own: MethodChoice | None, default: MethodChoice, own_key: str, default_key: str
) -> tuple[MethodChoice, str]:
    return (own, own_key) if own is not None else (default, default_key)


def compile_plan(
    spec: IndexSpec,
    *,
    host: PluginHost | None = None,
    variables: Any = None,
) -> Plan:
    """Compile an index spec against the plugins (and the data's variables).

    Parameters
    ----------
    spec : IndexSpec
    host : PluginHost, optional
        Defaults to :func:`riskcore.plugins.get_host`.
    variables : collection of str, optional
        The data's variables (a :class:`Panel` will do), so that a leaf that is neither a node nor
        a plugin indicator can be checked as a raw data variable.

    Returns
    -------
    Plan

    Raises
    ------
    SpecError
        Unknown methods, bad method parameters, undefined children, raw variables without a
        direction; each naming the file and key path.
    """
    host = host or get_host()
    path = spec.path
    base_dir = Path(path).parent if path else Path.cwd()
    known = set(variables) if variables is not None else None
    derived = compile_derived(spec.variables, known=known, path=path)
    by_name = {d.name: d for d in derived}
    if known is not None:
        known |= set(by_name)
    defaults = spec.defaults
    leaves: list[LeafPlan] = []
    leaf_slot: dict[str, int] = {}
    nodes: list[NodePlan] = []

    def where(parent: str) -> str:
        return "index" if parent == spec.index.code else f"node.{parent}"

    def leaf(code: str, parent: str) -> int:
        if code in leaf_slot:
            raise SpecError(
                f"indicator '{code}' is used twice in the tree; a leaf has one parent",
                path=path,
                key=f"{where(parent)}.children",
            )
        section = spec.indicator.get(code)
        variable = section.variable if section else None
        try:  # a leaf that names its variable reads the data, whatever the plugins provide
            provided = host.indicator(code) if variable is None else None
        except SpecError as exc:
            raise SpecError(exc.detail, path=path, key=f"{where(parent)}.children") from None
        direction = section.direction if section else None
        ind: Indicator | None
        plugin: str | None
        unit: str | None
        if provided is not None:
            ind = provided.obj
            higher = (
                ind.higher_is_riskier
                if direction is None
                else direction in ("higher_is_riskier", "positive")
            )
            name, unit, requires, plugin = ind.name, ind.unit, ind.requires, provided.plugin
        elif variable is not None:
            if known is not None and variable not in known:
                raise SpecError(
                    f"variable '{variable}' of leaf '{code}' is not a variable in the data",
                    path=path,
                    key=f"indicator.{code}.variable",
                )
        else:
            if known is not None and code not in known:
                blocked = sorted(host.disabled)
                hint = f"; disabled plugins: {', '.join(blocked)}" if blocked else ""
                raise SpecError(
                    f"child '{code}' is not a node, not an indicator any plugin provides "
                    f"(see `riskcore plugins`{hint}), and not a variable in the data",
                    path=path,
                    key=f"{where(parent)}.children",
                )
        if provided is None:
            if direction is None:
                raise SpecError(
                    f"'{code}' is a raw data variable (no plugin provides it), so its direction "
                    'must be given: direction = "higher_is_riskier" or "lower_is_riskier"',
                    path=path,
                    key=f"indicator.{code}.direction",
                )
            higher = direction in ("higher_is_riskier", "positive")
            ind, plugin, requires, name = None, None, (variable or code,), code
            unit = None
        if section and section.name:
            name = section.name
        if section and section.unit:
            unit = section.unit
        choice, key = _choice(
            section.normalize if section else None,
            defaults.normalize,
            f"indicator.{code}.normalize",
            "defaults.normalize",
        )
        per_year_default = (
            section.per_year if section and section.per_year is not None else defaults.per_year
        )
        normalizer, params, per_year = resolve_normalization(
            choice,
            host,
            path=path,
            key=key,
            per_year=per_year_default,
            scale=(float(spec.index.scale[0]), float(spec.index.scale[1])),
        )
        denominator = section.denominator if section else None
        if denominator is not None and known is not None and denominator not in known:
            raise SpecError(
                f"denominator '{denominator}' is not a variable in the data",
                path=path,
                key=f"indicator.{code}.denominator",
            )
        steps = {}
        for step, lookup in (("impute", host.imputer), ("outliers", host.treatment)):
            chosen, where_key = _choice(
                getattr(section, step) if section else None,
                getattr(defaults, step),
                f"indicator.{code}.{step}",
                f"defaults.{step}",
            )
            steps[step] = (chosen, *resolve_method(chosen, lookup, path=path, key=where_key))
        imp_choice, imputer, imp_params = steps["impute"]
        out_choice, treatment, out_params = steps["outliers"]
        leaves.append(
            LeafPlan(
                code=code,
                name=name,
                unit=unit,
                higher_is_riskier=higher,
                indicator=ind,
                plugin=plugin,
                requires=tuple(requires),
                normalizer=normalizer,
                normalize_params=params,
                normalize_method=choice.method,
                per_year=per_year,
                denominator=denominator,
                multiplier=section.multiplier if section else 1.0,
                imputer=imputer,
                impute_params=imp_params,
                impute_method=imp_choice.method,
                treatment=treatment,
                treat_params=out_params,
                treat_method=out_choice.method,
                round=section.round if section else None,
                per_year_default=per_year_default,
                missing=(section.missing if section and section.missing else defaults.missing),
                sources=expand((*requires, *filter(None, [denominator])), by_name)
                if derived
                else None,
            )
        )
        leaf_slot[code] = len(leaves) - 1
        return leaf_slot[code]

    # Leaves get slots first, nodes after; node slots are patched once all leaves are known.
    pending: list[tuple[str, list[tuple[str, int]], FloatArray]] = []

    # depth first, children before their node, with an explicit stack rather than recursion, so
    # that a tree may be as deep as a file can describe
    stack: list[tuple[str, Iterator[str], list[tuple[str, int]]]] = [
        (spec.index.code, iter(spec.node_children(spec.index.code)), [])
    ]
    while stack:
        code, rest, children = stack[-1]
        child = next(rest, None)
        if child is None:
            stack.pop()
            given = spec.node_children(code)
            pending.append((code, children, np.array(list(given.values()), dtype=np.float64)))
            if stack:
                stack[-1][2].append(("node", len(pending) - 1))
        elif child in spec.node:
            stack.append((child, iter(spec.node_children(child)), []))
        else:
            children.append(("leaf", leaf(child, code)))
    n_leaves = len(leaves)
    for code, children, weights in pending:
        is_root = code == spec.index.code
        section = spec.index if is_root else spec.node[code]
        base = "index" if is_root else f"node.{code}"
        choice, key = _choice(
            section.aggregation, defaults.aggregation, f"{base}.aggregation", "defaults.aggregation"
        )
        aggregator, params = resolve_method(choice, host.aggregator, path=path, key=key)
        points = bool(getattr(aggregator, "points", False))
        if section.min_coverage is not None:
            min_coverage = section.min_coverage
        else:  # a sum with a child missing would understate the total: all children by default
            min_coverage = 1.0 if points else defaults.min_coverage
        slots = tuple(i if kind == "leaf" else n_leaves + i for kind, i in children)
        child_codes = tuple(spec.node_children(code))
        w_choice, w_key = _choice(
            section.weighting, defaults.weighting, f"{base}.weighting", "defaults.weighting"
        )
        weighting, w_params = resolve_method(w_choice, host.weighting, path=path, key=w_key)
        context = WeightContext(code, child_codes, base_dir)
        if points and w_choice.method != "fixed":
            raise SpecError(
                f"node '{code}' adds points (aggregation 'sum'): its weights are the points of "
                f"its children table, which weighting '{w_choice.method}' would rescale; "
                'use weighting = "fixed" (the default)',
                path=path,
                key=w_key,
            )
        if not weighting.data_driven and not points:
            try:
                weights = np.asarray(
                    weighting(np.empty((1, 0, 0, len(slots))), weights, w_params, context=context)
                )[0]
            except DataError:  # a side file (weights) names its own file and line
                raise
            except (ValueError, KeyError) as exc:
                raise SpecError(str(exc), path=path, key=w_key) from None
        nodes.append(
            NodePlan(
                code=code,
                name=section.name or code,
                children=slots,
                weights=weights,
                aggregator=aggregator,
                aggregate_params=params,
                aggregate_method=choice.method,
                min_coverage=min_coverage,
                weighting=weighting if weighting.data_driven else None,
                weighting_params=w_params,
                weighting_method=w_choice.method,
                child_codes=child_codes,
                round=section.round if section.round is not None else defaults.round,
                points=points,
                required=tuple(child_codes.index(c) for c in section.required or ()),
                floor=section.floor,
                ceiling=section.ceiling,
            )
        )
        check_aggregation(aggregator, params, nodes[-1], path=path, key=key)
    node_tuple = tuple(nodes)
    return Plan(
        code=spec.index.code,
        name=spec.index.name,
        scale=(float(spec.index.scale[0]), float(spec.index.scale[1])),
        leaves=tuple(leaves),
        nodes=node_tuple,
        path=path,
        leaf_weights=effective_leaf_weights(n_leaves, node_tuple),
        screen=spec.index.screen,
        screen_on=spec.index.screen_on,
        bands=tuple((b.name, b.from_) for b in spec.bands),
        assumptions=spec.uncertainty,
        unranged=defaults.unranged if defaults.unranged.any() else None,
        derived=derived,
    )
