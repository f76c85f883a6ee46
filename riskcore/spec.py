"""The index file: pydantic models of its TOML format, and the loader.

A pure description: no numbers are computed here. Every error names the file and the key path.
The JSON Schema of the format is :func:`index_schema` (``riskcore schema`` prints it).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
)

from riskcore._strict import FileModel, plain
from riskcore.assumptions import Assumptions
from riskcore.display import IndexDisplay
from riskcore.errors import SpecError
from riskcore.files import Method, MethodChoice, key_of, method_choice, read_toml, toml_document

__all__ = [
    "Defaults",
    "IndexSection",
    "IndexSpec",
    "IndicatorSection",
    "MethodChoice",
    "Missing",
    "NodeSection",
    "Unranged",
    "VariableSection",
    "index_schema",
    "load_index",
    "parse_index",
]

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


Children = list[str] | dict[str, StrictFloat | StrictInt]


def _check_children(value: Children) -> Children:
    names = list(value) if isinstance(value, list) else list(value.keys())
    if not names:
        raise ValueError("needs at least one child")
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"child name {name!r} is not a valid code (letters, digits, _ or -)")
    if isinstance(value, list):
        seen: set[str] = set()
        for name in value:
            if name in seen:
                raise ValueError(f"child '{name}' is listed twice")
            seen.add(name)
        return value
    for name, w in value.items():
        if not math.isfinite(w):
            raise ValueError(f"weight of '{name}' is not a finite number")
        if w < 0:
            raise ValueError(f"weight of '{name}' is negative ({w}); weights must be >= 0")
    if sum(value.values()) <= 0:
        raise ValueError("all weights are zero; at least one must be positive")
    return value


Coverage = Annotated[float, Field(ge=0.0, le=1.0)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Digits = Annotated[int, Field(ge=0, le=15)]


def _rounding(what: str) -> Any:
    return Field(None, description=f"round {what} on the index scale to this many decimals")


def _bound(which: str, side: str) -> Any:
    return Field(
        None,
        description=f"{which} value of the node on the index scale, applied after rounding: a "
        f"value {side} it takes this value",
    )


def _treatment_choice(value: Any) -> Any:
    if value is False:
        return {"method": "none"}
    if value is True:
        return {"method": "winsorise"}
    return method_choice(value)


Treatment = Annotated[MethodChoice, BeforeValidator(_treatment_choice)]


class _NodeBase(FileModel):
    name: str | None = Field(None, description="human-readable name")
    description: str | None = Field(None, description="what the node measures, and why")
    aggregation: Method | None = Field(
        None, description="aggregation method: a name or { method = ..., params }"
    )
    children: Children = Field(
        description="children codes: a list (equal weights) or a table of weights"
    )
    min_coverage: Coverage | None = Field(
        None,
        description="the node is missing when its present children carry less than this share "
        "of its weight (default from [defaults], 0.5)",
    )
    weighting: Method | None = Field(
        None,
        description="how the children's weights are set: fixed (as given), equal, budget, "
        "ahp, pca, or a plugin's method (default from [defaults])",
    )
    round: Digits | None = _rounding("the node's value")
    required: list[str] | None = Field(
        None,
        description="children that must be present: the node is missing when one of them is "
        "(alongside min_coverage)",
    )
    floor: Finite | None = _bound("lowest", "below")
    ceiling: Finite | None = _bound("highest", "above")

    _check = field_validator("children")(classmethod(lambda cls, v: _check_children(v)))

    def weights(self) -> dict[str, float]:
        """Children with their weights (1 each for a list)."""
        if isinstance(self.children, list):
            return {c: 1.0 for c in self.children}
        return {k: float(v) for k, v in self.children.items()}


class IndexSection(_NodeBase):
    """The ``[index]`` table: the root of the tree."""

    name: str = Field(description="the index's name (required)")
    code: str = Field("index", description="the index's code", pattern=r"^[A-Za-z][A-Za-z0-9_-]*$")
    scale: tuple[float, float] = Field((0.0, 100.0), description="[low, high] of the scores")
    screen: Coverage | None = Field(
        None,
        description="leave out a country-year whose share of indicators with data is below "
        "this; reported with the reason",
    )
    screen_on: Literal["observed", "imputed"] = Field(
        "observed",
        description="what screening counts: 'observed' screens the data before imputation "
        "(screened-out country-years feed no imputation); 'imputed' imputes first and screens "
        "the imputed data, as COINr does",
    )

    @field_validator("scale")
    @classmethod
    def _scale(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not (math.isfinite(v[0]) and math.isfinite(v[1]) and v[0] < v[1]):
            raise ValueError(f"scale must be [low, high] with low < high, got {list(v)}")
        return v


class NodeSection(_NodeBase):
    """A ``[node.<code>]`` table: an inner node of the tree."""


Direction = Literal["higher_is_riskier", "lower_is_riskier", "positive", "negative"]

Missing = Literal["unknown", "not_applicable", "structural_zero"]
"""What a missing value of an indicator means: ``unknown`` (imputed if the indicator says so,
else missing), ``not_applicable`` (the node is scored from its other children, their weights
rescaled, and the indicator does not count against coverage) or ``structural_zero`` (a real
zero: the value counts as 0)."""


class IndicatorSection(FileModel):
    """An ``[indicator.<code>]`` table: settings of one leaf."""

    name: str | None = Field(None, description="display name (defaults to the plugin's)")
    description: str | None = None
    unit: str | None = Field(None, description="unit, for a raw data variable")
    variable: str | None = Field(
        None,
        description="the data variable the leaf reads (default: the leaf's code); one variable "
        "can feed several leaves, each with its own normalisation",
        pattern=r"^[A-Za-z_][A-Za-z0-9_\-]*$",
    )
    direction: Direction | None = Field(
        None,
        description="required for a raw data variable; overrides the plugin's direction. "
        "'positive' is a synonym of 'higher_is_riskier' (a higher value raises the score) and "
        "'negative' of 'lower_is_riskier', for indices that score something other than risk",
    )
    normalize: Method | None = Field(
        None, description="normalisation method: a name or { method = ..., params }"
    )
    per_year: bool | None = Field(
        None, description="take data-driven statistics within each year (default: all years)"
    )
    denominator: str | None = Field(
        None, description="data variable to divide the indicator by (population, GDP, area)"
    )
    multiplier: float = Field(
        1.0, description="multiply the indicator by this (after the denominator), e.g. 1000"
    )
    impute: Method | None = Field(
        None, description="imputation method for missing values (default from [defaults])"
    )
    outliers: Treatment | None = Field(
        None,
        description="outlier treatment: a method, true (winsorise) or false (none); "
        "default from [defaults]",
    )
    round: Digits | None = _rounding("the normalised value")
    missing: Missing | None = Field(
        None,
        description="what a missing value means: unknown, not_applicable or structural_zero "
        "(default from [defaults], unknown)",
    )


Relative = Annotated[float, Field(ge=0.0, le=1.0)]


class Unranged(FileModel):
    """The ``[defaults.unranged]`` table: the relative uncertainty of values that carry no range
    and no standard error, by kind (and by source, which takes precedence).

    A value ``v`` with relative uncertainty ``r`` is drawn uniformly in ``v * (1 - r)`` to
    ``v * (1 + r)`` by the Monte Carlo of the intervals, so that it widens the interval instead
    of counting as exact. 0 (the default for every kind) keeps values exact.
    """

    observed: Relative = Field(0.0, description="values of kind observed (the default kind)")
    estimate: Relative = Field(0.0, description="values of kind estimate")
    expert: Relative = Field(0.0, description="values of kind expert")
    imputed: Relative = Field(
        0.0,
        description="values of kind imputed, and values riskcore imputes with a method that "
        "gives no range of its own",
    )
    sources: dict[str, Relative] = Field(
        default_factory=dict, description="source (as written in the data) to its uncertainty"
    )

    def any(self) -> bool:
        """Whether any value is uncertain by these defaults."""
        kinds = (self.observed, self.estimate, self.expert, self.imputed)
        return any(r > 0 for r in kinds) or any(r > 0 for r in self.sources.values())


class VariableSection(FileModel):
    """A ``[variables.<name>]`` table: a variable derived from others by a formula."""

    formula: str = Field(
        description="arithmetic (+ - * / ^), comparisons, min, max, where, log, log10, sqrt, "
        "abs, isnan and lag(x, k) over the data's variables and other derived variables"
    )
    unit: str | None = Field(None, description="unit of the derived values")
    description: str | None = Field(None, description="what the variable is")


class Defaults(FileModel):
    """The ``[defaults]`` table."""

    normalize: Method = Field(
        MethodChoice(method="minmax"), description="default normalisation method"
    )
    aggregation: Method = Field(
        MethodChoice(method="arithmetic"), description="default aggregation method"
    )
    min_coverage: Coverage = Field(0.5, description="default min_coverage of every node")
    per_year: bool = Field(False, description="default per_year of every indicator")
    impute: Method = Field(MethodChoice(method="none"), description="default imputation")
    outliers: Treatment = Field(
        MethodChoice(method="none"), description="default outlier treatment"
    )
    weighting: Method = Field(MethodChoice(method="fixed"), description="default weighting")
    missing: Missing = Field("unknown", description="what a missing value means, by default")
    unranged: Unranged = Field(
        default_factory=Unranged,
        description="relative uncertainty of values without a range or standard error",
    )
    round: Digits | None = Field(
        None, description="default round of every node and of the root (on the index scale)"
    )


class Band(FileModel):
    """A ``[[bands]]`` entry: scores from ``from`` (inclusive) up to the next band's ``from``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(description="the class, such as 'very high'")
    from_: float = Field(alias="from", description="lowest score of the band, inclusive")


class IndexSpec(IndexDisplay, FileModel):
    """An index file: the tree, its methods and its weights.

    Load one with :func:`load_index` or :func:`parse_index`. ``path`` is the file it came from.
    """

    index: IndexSection
    node: dict[str, NodeSection] = Field(default_factory=dict)
    indicator: dict[str, IndicatorSection] = Field(default_factory=dict)
    defaults: Defaults = Field(default_factory=Defaults)
    variables: dict[str, VariableSection] = Field(
        default_factory=dict,
        description="derived variables, each a formula over the data's variables (see "
        "docs/index-file.md#derived-variables)",
    )
    bands: list[Band] = Field(
        default_factory=list,
        description="risk bands that classify scores, in ascending order of 'from' "
        "(as INFORM's very low ... very high)",
    )
    uncertainty: Assumptions | None = Field(
        None,
        description="the uncertain assumptions for `riskcore uncertainty` and `sensitivity` "
        "(see docs/uncertainty.md)",
    )

    _path: str | None = PrivateAttr(default=None)

    @property
    def path(self) -> str | None:
        """The file the spec was read from."""
        return self._path

    @field_validator("node", "indicator")
    @classmethod
    def _codes(cls, v: dict[str, Any]) -> dict[str, Any]:
        for code in v:
            if not _NAME.match(code):
                raise ValueError(f"'{code}' is not a valid code (letters, digits, _ or -)")
        return v

    @field_validator("variables")
    @classmethod
    def _variable_names(cls, v: dict[str, Any]) -> dict[str, Any]:
        from riskcore.formula import FUNCTIONS

        for name in v:
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) or name in FUNCTIONS:
                raise ValueError(
                    f"'{name}' cannot name a derived variable: letters, digits and _ (so that a "
                    "formula can use it), and not a function's name"
                )
        return v

    @field_validator("bands")
    @classmethod
    def _bands(cls, v: list[Band]) -> list[Band]:
        starts = [b.from_ for b in v]
        if starts != sorted(starts) or len(set(starts)) != len(starts):
            raise ValueError("bands must be in strictly ascending order of 'from'")
        if len({b.name for b in v}) != len(v):
            raise ValueError("band names must be unique")
        return v

    def node_children(self, code: str) -> dict[str, float]:
        """Children and weights of the root (``code == index.code``) or of a node."""
        if code == self.index.code:
            return self.index.weights()
        return self.node[code].weights()

    def group_columns(self) -> list[str]:
        """Data columns that imputation methods name as ``group``, to be read as labels."""
        choices = [self.defaults.impute] + [s.impute for s in self.indicator.values() if s.impute]
        out: dict[str, None] = {}
        for choice in choices:
            group = choice.params.get("group")
            if isinstance(group, str):
                out.setdefault(group, None)
        return list(out)

    def leaves(self) -> list[str]:
        """Leaf codes in tree order (depth first)."""
        out: list[str] = []
        # an explicit stack, not recursion: a tree may be as deep as a file can describe
        stack = [iter(self.node_children(self.index.code))]
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
            elif child in self.node:
                stack.append(iter(self.node_children(child)))
            else:
                out.append(child)
        return out


def _check_node_keys(section: Any, base: str, path: str | None) -> None:
    """``required`` names children; ``floor`` is not above ``ceiling``."""
    children = section.weights()
    for n, child in enumerate(section.required or []):
        if child not in children:
            raise SpecError(
                f"required child '{child}' is not among the children of [{base}] "
                f"({', '.join(children)})",
                path=path,
                key=f"{base}.required.{n}",
            )
    low, high = section.floor, section.ceiling
    if low is not None and high is not None and low > high:
        raise SpecError(
            f"floor ({low}) is above ceiling ({high})", path=path, key=f"{base}.ceiling"
        )


def _check_graph(spec: IndexSpec, path: str | None) -> None:
    """A code both a node and an indicator, cycles, nodes used twice, node keys; unused
    sections only warn."""
    both = sorted(set(spec.node) & set(spec.indicator))
    if both:
        raise SpecError(
            f"'{both[0]}' is defined both as [node.{both[0]}] and [indicator.{both[0]}]",
            path=path,
            key=f"indicator.{both[0]}",
        )
    if spec.index.code in spec.node:
        raise SpecError(
            f"the index code '{spec.index.code}' is also a node", path=path, key="index.code"
        )
    parent_of: dict[str, str] = {}
    for parent in [spec.index.code, *spec.node]:
        key = "index.children" if parent == spec.index.code else f"node.{parent}.children"
        _check_node_keys(
            spec.index if parent == spec.index.code else spec.node[parent],
            "index" if parent == spec.index.code else f"node.{parent}",
            path,
        )
        for child in spec.node_children(parent):
            if child == spec.index.code:
                raise SpecError("the index itself is used as a child (a cycle)", path=path, key=key)
            if child == parent:
                raise SpecError(
                    f"the tree has a cycle: node '{child}' lists itself as a child",
                    path=path,
                    key=key,
                )
            if child in spec.node:
                chain, cur = [parent], parent
                while cur in parent_of:
                    cur = parent_of[cur]
                    chain.append(cur)
                    if cur == child:
                        loop = " -> ".join([*reversed(chain), child])
                        raise SpecError(f"the tree has a cycle: {loop}", path=path, key=key)
                if child in parent_of:
                    first = parent_of[child]
                    raise SpecError(
                        f"node '{child}' is used twice, under '{first}' and '{parent}'; "
                        "a node has one parent",
                        path=path,
                        key=key,
                    )
                parent_of[child] = parent
    # the loop above refuses every edge that would close a cycle, so following parents ends;
    # a node whose chain does not end at the root is unused
    for code in spec.node:
        cur = code
        while cur in parent_of:
            cur = parent_of[cur]
        if cur != spec.index.code:
            warnings.warn(
                f"{path or '<index>'}: [node.{code}] is not used by the index tree",
                UserWarning,
                stacklevel=3,
            )
    leaves = set(spec.leaves())
    for code in spec.indicator:
        if code not in leaves:
            warnings.warn(
                f"{path or '<index>'}: [indicator.{code}] is set but '{code}' is not in the "
                "index tree",
                UserWarning,
                stacklevel=3,
            )


def _message(exc: ValidationError) -> tuple[str, str]:
    msgs: list[str] = []
    first_key = ""
    seen: set[tuple[str, str]] = set()
    for err in exc.errors():
        key = key_of(tuple(err["loc"]))
        if re.search(r"\.scale(\.\d+)?$", key) and err["type"] != "value_error":
            key = key[: key.index(".scale") + len(".scale")]
            msg = "scale must be [low, high], two numbers with low < high, such as [0, 100]"
        elif err["type"] in ("extra_forbidden", "missing"):
            msg = plain(err)
        elif (key.endswith(".children") or ".children." in key) and err["type"] != "value_error":
            key = key[: key.index(".children") + len(".children")]
            msg = (
                'children must be a list of codes, such as ["a", "b"], or a table of '
                "code = weight with numeric weights, such as { a = 1, b = 2 }"
            )
        else:
            msg = plain(err)
        if (key, msg) in seen:
            continue
        seen.add((key, msg))
        first_key = first_key or key
        msgs.append(f"key '{key}': {msg}" if key else msg)
    return first_key, "; ".join(msgs)


def parse_index(data: Mapping[str, Any] | str, *, path: str | None = None) -> IndexSpec:
    """Validate an index given as TOML text or as an already-parsed mapping.

    Parameters
    ----------
    data : str or mapping
        TOML text, or the dictionary ``tomllib`` would produce.
    path : str, optional
        Where it came from, for messages.

    Returns
    -------
    IndexSpec

    Raises
    ------
    SpecError
        Naming the file and the key path of every problem.
    """
    try:
        spec = IndexSpec.model_validate(toml_document(data, path))
    except ValidationError as exc:
        key, msg = _message(exc)
        err = SpecError(msg, path=path)
        err.key = key
        raise err from None
    spec._path = path
    _check_graph(spec, path)
    if spec.variables:  # each formula parsed, and no cycle, before any data is read
        from riskcore.derived import compile_derived

        compile_derived(spec.variables, known=None, path=path)
    if spec.uncertainty is not None:
        spec.uncertainty._path = path
    return spec


def load_index(path: str | Path) -> IndexSpec:
    """Read and validate an index file (TOML).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    IndexSpec

    Raises
    ------
    SpecError
        When the file cannot be read or is malformed, naming the file and the key path.
    """
    name = str(path)
    return parse_index(read_toml(path, "an index file (TOML)"), path=name)


def index_schema() -> dict[str, Any]:
    """The JSON Schema of the index file format, for editors that validate TOML."""
    schema = IndexSpec.model_json_schema()
    ref = {"$ref": "#/$defs/MethodChoice"}
    name = {"type": "string", "description": "a method's registered name"}

    def widen(node: Any, key: str = "") -> Any:
        # a method may be given by name alone; an outlier treatment also as true or false
        if isinstance(node, dict):
            if node.get("$ref") == ref["$ref"]:
                options: list[Any] = [name, ref]
                if key == "outliers":
                    options.append({"type": "boolean"})
                rest = {k: v for k, v in node.items() if k != "$ref"}
                return {**rest, "anyOf": options}
            return {k: widen(v, k if k != "anyOf" else key) for k, v in node.items()}
        if isinstance(node, list):
            return [widen(v, key) for v in node]
        return node

    schema = dict(widen(schema))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "riskcore index file"
    return schema
