"""The uncertain assumptions of an index, declared in TOML and validated like the index file.

In the index file as an ``[uncertainty]`` table, or in a file of its own with the same table::

    [uncertainty]
    samples = 1024                 # base sample size N
    seed = 1

    [[uncertainty.weights]]        # one factor: noise on the weights of these nodes
    levels = [0, 1]                # depth below the root (0: the root's own children)
    relative = 0.25                # each weight times a uniform factor in [0.75, 1.25]

    [uncertainty.normalize]        # one factor: which normalisation every indicator uses
    alternatives = ["minmax", { method = "zscore", mean = 10, sd = 2 }]

    [uncertainty.aggregation]      # one factor: which aggregation the nodes use
    alternatives = ["arithmetic", "geometric"]
    nodes = ["Conn", "Sust"]       # default: every node

    [uncertainty.outliers]         # one factor: how many points winsorising may take
    max_points = [1, 5]

    [uncertainty.exclusion]        # one factor: drop one indicator (or node) at a time
    candidates = ["LPI", "Flights"]  # default: every indicator; "none" is always a choice

    [uncertainty.data]             # one factor: the data themselves
    relative = 0.05                # every input value times a uniform factor in [0.95, 1.05]
    standard_errors = { wgi_ge_est = "wgi_ge_se" }   # normal error with this standard error
    ranges = { relocants = ["relocants_low", "relocants_high"] }   # uniform in the range

Each table is one uncertain *factor* of the Monte Carlo and Sobol' analyses; names refer to the
index file's codes and the data's variables only, never to internal objects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from riskcore._args import MIN_SAMPLES
from riskcore._strict import FileModel
from riskcore.errors import SpecError
from riskcore.files import Method, first_error, read_toml, toml_document

__all__ = [
    "Alternatives",
    "Assumptions",
    "DataNoise",
    "Exclusion",
    "OutlierPoints",
    "WeightNoise",
    "load_assumptions",
    "parse_assumptions",
]


class WeightNoise(FileModel):
    """Noise on the weights of some nodes: one factor."""

    name: str | None = Field(None, description="the factor's name in the results")
    nodes: list[str] | None = Field(
        None, min_length=1, description="nodes whose children's weights vary"
    )
    levels: list[int] | None = Field(
        None, min_length=1, description="or: depths of those nodes below the root (0 is the root)"
    )
    relative: float = Field(gt=0, lt=1, description="each weight times U(1 - r, 1 + r)")


class Alternatives(FileModel):
    """Alternative methods, one chosen per run: one factor."""

    name: str | None = None
    alternatives: list[Method] = Field(min_length=1)
    nodes: list[str] | None = Field(
        None, min_length=1, description="for aggregation: nodes it applies to"
    )
    indicators: list[str] | None = Field(
        None, min_length=1, description="for normalisation: indicators it applies to (default: all)"
    )


class OutlierPoints(FileModel):
    """The most points winsorising may take, an integer range: one factor."""

    name: str | None = None
    max_points: tuple[int, int] = Field(description="inclusive range, such as [1, 5]")

    @field_validator("max_points")
    @classmethod
    def _range(cls, v: tuple[int, int]) -> tuple[int, int]:
        if not 0 <= v[0] <= v[1]:
            raise ValueError(f"max_points must be [low, high] with 0 <= low <= high, got {list(v)}")
        return v


class Exclusion(FileModel):
    """Leave out one indicator or node at a time (or none): one factor."""

    name: str | None = None
    candidates: list[str] | None = Field(None, min_length=1, description="default: every indicator")


class DataNoise(FileModel):
    """Uncertainty in the input data: one factor."""

    name: str | None = None
    relative: float | None = Field(
        None, gt=0, lt=1, description="every input value times U(1 - r, 1 + r)"
    )
    standard_errors: dict[str, str] = Field(
        default_factory=dict, description="variable -> variable holding its standard error"
    )
    ranges: dict[str, tuple[str, str]] = Field(
        default_factory=dict, description="variable -> [low variable, high variable]"
    )


class Assumptions(FileModel):
    """Every uncertain assumption of an analysis."""

    samples: int = Field(1024, ge=MIN_SAMPLES, description="base sample size N")
    seed: int = Field(
        0,
        ge=0,
        description="seed of every random draw (design and data noise); the same seed, the "
        "same numbers; --seed overrides it",
    )
    weights: list[WeightNoise] = Field(default_factory=list)
    normalize: Alternatives | None = None
    aggregation: Alternatives | None = None
    outliers: OutlierPoints | None = None
    exclusion: Exclusion | None = None
    data: DataNoise | None = None

    _path: str | None = None

    @property
    def path(self) -> str | None:
        """The file the assumptions came from."""
        return self._path


def parse_assumptions(data: dict[str, Any] | str, *, path: str | None = None) -> Assumptions:
    """Validate assumptions given as TOML text or a mapping.

    The mapping may be a whole index file (its ``[uncertainty]`` table is used) or the table
    itself. Errors are :class:`~riskcore.errors.SpecError` naming the file and key path.
    """
    doc = toml_document(data, path)
    table = doc.get("uncertainty", doc if "index" not in doc else None)
    if table is None:
        raise SpecError("no [uncertainty] table", path=path, key="uncertainty")
    try:
        out = Assumptions.model_validate(table)
    except ValidationError as exc:
        raise first_error(exc, "uncertainty", path) from None
    object.__setattr__(out, "_path", path)
    return out


def load_assumptions(path: str | Path) -> Assumptions:
    """Read the ``[uncertainty]`` table of a TOML file (an index file or a file of its own)."""
    text = read_toml(path, "a TOML file")
    return parse_assumptions(text, path=str(path))
