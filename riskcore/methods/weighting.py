"""Built-in weighting methods, registered as the plugin ``riskcore.weight``.

A node's weights are, by default, the ones its ``children`` table gives (``fixed``). A node may
instead name a weighting method: ``weighting = "equal"``, a budget allocation read from a file,
weights from an analytic hierarchy process, or weights derived from the data by principal
components. A weighting returns one weight set per batch member, non-negative and summing to one.

Data-driven weights (``pca``) are computed from the node's children as they are aggregated, on
the countries and years with every child present.

References
----------
OECD/JRC (2008), *Handbook on Constructing Composite Indicators*, section 1.6 and steps 6.1-6.5
(factor analysis, budget allocation, analytic hierarchy process); Nicoletti, Scarpetta and
Boylaud (2000), OECD Economics Department Working Paper 226.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray
from pydantic import Field, field_validator

from riskcore._text import csv_error, decode_csv, finite_number, shown
from riskcore.errors import DataError, read_input
from riskcore.hookspecs import hookimpl
from riskcore.methods.base import MethodBase, MethodParams, NamedMethod

__all__ = [
    "AHP",
    "PCA",
    "Budget",
    "Equal",
    "Fixed",
    "WeightContext",
    "Weighting",
    "pca_weights",
    "varimax",
]

FloatArray = NDArray[np.float64]


class WeightContext:
    """What a weighting may know: the node, its children's codes, the index file's folder.

    Parameters
    ----------
    node : str
    children : sequence of str
    base_dir : Path, optional
        Folder that relative file names in parameters are resolved against.
    """

    def __init__(self, node: str, children: Sequence[str], base_dir: Path | None = None) -> None:
        self.node = node
        self.children = tuple(children)
        self.base_dir = base_dir or Path.cwd()


@runtime_checkable
class Weighting(NamedMethod, Protocol):
    """A weighting method.

    Attributes
    ----------
    name : str
        The name an index file uses: ``weighting = "<name>"`` or a table with ``method``.
    description : str
    Params : type of MethodParams
    data_driven : bool
        True when the weights depend on the children's values (and are computed per batch
        member); False when they are fixed once the index is compiled.
    """

    @property
    def data_driven(self) -> bool: ...

    def __call__(
        self, children: FloatArray, given: FloatArray, params: Any, *, context: WeightContext
    ) -> FloatArray:
        """Weights for the node's children.

        Parameters
        ----------
        children : ndarray, shape (batch, countries, years, k)
            The children's normalised values (NaN where missing); empty ``(1, 0, 0, k)`` for
            methods that are not data-driven, which are called once at compile time.
        given : ndarray, shape (k,)
            The weights of the ``children`` table (1 each for a list).
        params : MethodParams
        context : WeightContext

        Returns
        -------
        ndarray, shape (batch, k)
            Non-negative weights summing to one per batch member.
        """
        ...


def _unit(w: FloatArray) -> FloatArray:
    out: FloatArray = w / np.sum(w, axis=-1, keepdims=True)
    return out


class _Static(MethodBase):
    """Weights fixed once the index is compiled: ``weights(given, params, context)``."""

    data_driven = False

    def weights(self, given: FloatArray, params: Any, context: WeightContext) -> FloatArray:
        raise NotImplementedError

    def __call__(
        self, children: FloatArray, given: FloatArray, params: Any, *, context: WeightContext
    ) -> FloatArray:
        w = np.asarray(self.weights(given, params, context), dtype=np.float64)
        return _unit(w[np.newaxis, :])


class Fixed(_Static):
    """The weights of the ``children`` table, as given (the default)."""

    name = "fixed"
    description = "the weights of the children table, as given"

    def weights(self, given: FloatArray, params: Any, context: WeightContext) -> FloatArray:
        return given


class Equal(_Static):
    """Equal weights, whatever the ``children`` table says."""

    name = "equal"
    description = "equal weights"

    def weights(self, given: FloatArray, params: Any, context: WeightContext) -> FloatArray:
        return np.ones(given.size)


class BudgetParams(MethodParams):
    file: str = Field(description="CSV file with a column of codes and a column of points")
    column: str = Field("points", description="the column of points (or weights) to use")
    codes: str = Field("code", description="the column naming the children")


class Budget(_Static):
    """Budget allocation: experts' points per child, read from a CSV file, scaled to sum one.

    The file has a ``code`` column (the children's codes) and one column per weight set, such
    as several experts' allocations; ``column`` selects one. A relative path is taken from the
    index file's folder.
    """

    name = "budget"
    description = "budget allocation: points per child from a CSV file"
    Params = BudgetParams

    def weights(self, given: FloatArray, params: Any, context: WeightContext) -> FloatArray:
        path = Path(params.file)
        if not path.is_absolute():
            path = context.base_dir / path
        points = read_points(path, params.codes, params.column)
        missing = [c for c in context.children if c not in points]
        if missing:
            raise DataError(
                f"no row for {', '.join(repr(c) for c in missing)} (children of node "
                f"'{context.node}'); every child needs its '{params.column}'",
                path=str(path),
            )
        w = np.array([points[c][0] for c in context.children])
        if w.sum() <= 0:
            raise DataError(
                f"the points of node '{context.node}' sum to zero; at least one must be positive",
                path=str(path),
            )
        return w


def read_points(path: Path, codes: str, column: str) -> dict[str, tuple[float, int]]:
    """The ``column`` of a weights file by the ``codes`` column, with each row's line.

    Every problem is a :class:`~riskcore.errors.DataError` naming the file and the line: a
    short or long row, an empty or repeated code, a value that is not a finite number or is
    negative. Lines starting with ``#`` and blank lines are skipped (and counted).
    """
    name = str(path)
    text = decode_csv(read_input(path, DataError, "a CSV file of weights"), name)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    out: dict[str, tuple[float, int]] = {}
    start = 1
    try:
        for row in reader:
            line = reader.line_num
            blank = not row or all(not cell.strip() for cell in row)
            if blank or row[0].lstrip().startswith("#"):
                start = line + 1
                continue
            if header is None:
                header = [h.strip().lstrip("\ufeff") for h in row]
                absent = [c for c in (codes, column) if c not in header]
                if absent:
                    raise DataError(
                        f"the header has no column {', '.join(map(repr, absent))} (columns: "
                        f"{', '.join(header)})",
                        path=name,
                        line=line,
                    )
            elif len(row) != len(header):
                raise DataError(
                    f"row has {len(row)} fields, the header has {len(header)}", path=name, line=line
                )
            else:
                code, cell = row[header.index(codes)].strip(), row[header.index(column)].strip()
                _point(out, code, cell, column, name, line)
            start = line + 1
    except csv.Error as exc:
        raise csv_error(exc, name, start, reader.line_num) from None
    if header is None:
        raise DataError("the file is empty; expected a header row", path=name, line=1)
    return out


def _point(
    out: dict[str, tuple[float, int]], code: str, cell: str, column: str, name: str, line: int
) -> None:
    """Add one row's points to ``out``, or :class:`DataError` for the line."""
    if not code:
        raise DataError("the code is empty", path=name, line=line)
    if code in out:
        raise DataError(
            f"code {shown(code)} is repeated (first on line {out[code][1]}); one row per child",
            path=name,
            line=line,
        )
    try:
        value = finite_number(cell)
    except ValueError as exc:
        raise DataError(f"'{column}' {shown(cell)} {exc}", path=name, line=line) from None
    if not value >= 0:  # NaN included
        raise DataError(
            f"'{column}' {shown(cell)} is not a number >= 0; points are non-negative",
            path=name,
            line=line,
        )
    out[code] = (value, line)


class AHPParams(MethodParams):
    matrix: list[list[float]] = Field(
        description="pairwise comparisons a[i][j] = importance of child i over child j, "
        "in the order of the children"
    )

    @field_validator("matrix")
    @classmethod
    def _square(cls, m: list[list[float]]) -> list[list[float]]:
        a = np.array(m, dtype=np.float64)
        if a.ndim != 2 or a.shape[0] != a.shape[1]:
            raise ValueError("the comparison matrix must be square")
        if np.any(a <= 0):
            raise ValueError("comparisons must be positive")
        if not np.allclose(a * a.T, 1.0, rtol=1e-2):
            raise ValueError("the comparison matrix must be reciprocal: a[j][i] = 1 / a[i][j]")
        return m


_RANDOM_INDEX = (0.0, 0.0, 0.0, 0.58, 0.9, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


class AHP(_Static):
    """Analytic hierarchy process: the principal eigenvector of a pairwise comparison matrix.

    The consistency ratio ``CR = (lambda_max - k) / (k - 1) / RI_k`` (Saaty's random indices)
    is returned by :func:`ahp_weights`; above 0.1 the judgements are usually revised.
    """

    name = "ahp"
    description = "analytic hierarchy process: principal eigenvector of pairwise comparisons"
    Params = AHPParams

    def weights(self, given: FloatArray, params: Any, context: WeightContext) -> FloatArray:
        a = np.array(params.matrix, dtype=np.float64)
        if a.shape[0] != given.size:
            raise ValueError(
                f"the comparison matrix is {a.shape[0]} x {a.shape[0]}, the node has "
                f"{given.size} children"
            )
        w, _ = ahp_weights(a)
        return w


def ahp_weights(matrix: FloatArray) -> tuple[FloatArray, float]:
    """Principal-eigenvector weights of a pairwise comparison matrix, and its consistency ratio.

    Parameters
    ----------
    matrix : ndarray, shape (k, k)

    Returns
    -------
    weights : ndarray, shape (k,)
        Summing to one.
    consistency_ratio : float
        NaN for k < 3 (always consistent).
    """
    vals, vecs = np.linalg.eig(matrix)
    i = int(np.argmax(vals.real))
    w = np.abs(vecs[:, i].real)
    k = matrix.shape[0]
    lam = float(vals[i].real)
    ri = _RANDOM_INDEX[k] if k < len(_RANDOM_INDEX) else _RANDOM_INDEX[-1]
    cr = (lam - k) / (k - 1) / ri if ri > 0 else math.nan
    return w / w.sum(), cr


def varimax(loadings: FloatArray, *, tol: float = 1e-10, max_iter: int = 500) -> FloatArray:
    """Varimax rotation of a loading matrix (Kaiser 1958), without row normalisation.

    Parameters
    ----------
    loadings : ndarray, shape (p, m)

    Returns
    -------
    ndarray, shape (p, m)
        The rotated loadings.
    """
    p, m = loadings.shape
    if m < 2:
        same: FloatArray = loadings.copy()
        return same
    rot = np.eye(m)
    crit = 0.0
    for _ in range(max_iter):
        lam = loadings @ rot
        u, s, vt = np.linalg.svd(loadings.T @ (lam**3 - lam @ np.diag(np.sum(lam**2, axis=0)) / p))
        rot = u @ vt
        new = float(np.sum(s))
        if new < crit * (1 + tol):
            break
        crit = new
    out: FloatArray = loadings @ rot
    return out


class PCAParams(MethodParams):
    min_eigenvalue: float = Field(1.0, description="retain components with an eigenvalue above")
    min_share: float = Field(0.1, description="...each explaining at least this share")
    min_cumulative: float = Field(0.6, description="...until this share is explained")
    components: int | None = Field(
        None, ge=1, description="retain exactly this many components (overrides the rules)"
    )
    rotate: bool = Field(True, description="varimax rotation of the retained loadings")
    kaiser: bool = Field(True, description="Kaiser row normalisation in the rotation")


def pca_weights(
    x: FloatArray, params: PCAParams | None = None
) -> tuple[FloatArray, dict[str, Any]]:
    """Weights from principal components, the OECD/JRC Handbook way (Nicoletti et al. 2000).

    1. Correlation matrix of the ``k`` children over the rows with every child present.
    2. Retain the leading components with eigenvalue above ``min_eigenvalue`` and each
       explaining at least ``min_share`` of the variance, adding components until
       ``min_cumulative`` is reached (at least one).
    3. Rotate the retained loadings (varimax, with Kaiser normalisation by default).
    4. Scale each component's squared loadings to sum one.
    5. Assign each child to the component on which it loads most; its weight is its scaled
       squared loading there, times that component's share of the variance the retained
       components explain; scale to sum one.

    On the Handbook's Technology Achievement Index with four components this reproduces the
    principal-component weights of its Table 18 to the two printed decimals.

    Parameters
    ----------
    x : ndarray, shape (n, k)
        Rows are observations (countries x years), NaN for missing.
    params : PCAParams, optional

    Returns
    -------
    weights : ndarray, shape (k,)
    details : dict
        Eigenvalues, retained components, rotated loadings, explained shares.
    """
    p = params or PCAParams()
    rows = x[~np.any(np.isnan(x), axis=1)]
    k = x.shape[1]
    if rows.shape[0] <= k:
        raise ValueError(
            f"principal components need more complete observations ({rows.shape[0]}) than "
            f"children ({k})"
        )
    corr = np.corrcoef(rows, rowvar=False)
    vals, vecs = np.linalg.eigh(corr)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    share = vals / vals.sum()
    keep = 1
    while (
        keep < k
        and share[:keep].sum() < p.min_cumulative
        and vals[keep] > p.min_eigenvalue
        and share[keep] >= p.min_share
    ):
        keep += 1
    if p.components is not None:
        keep = min(p.components, k)
    loadings = vecs[:, :keep] * np.sqrt(vals[:keep])
    if p.rotate:
        h = np.sqrt(np.sum(loadings**2, axis=1, keepdims=True)) if p.kaiser else 1.0
        loadings = varimax(loadings / h) * h
    sq = loadings**2
    explained = sq.sum(axis=0)
    scaled = sq / explained
    comp = np.argmax(sq, axis=1)
    w = scaled[np.arange(k), comp] * (explained[comp] / explained.sum())
    details = {
        "eigenvalues": vals.tolist(),
        "retained": keep,
        "explained": (explained / k).tolist(),
        "loadings": loadings.tolist(),
    }
    return w / w.sum(), details


class PCA(MethodBase):
    """Weights derived from principal components of the children (OECD/JRC Handbook)."""

    name = "pca"
    description = "principal components, varimax, squared loadings (OECD/JRC Handbook)"
    data_driven = True
    Params = PCAParams

    def __call__(
        self, children: FloatArray, given: FloatArray, params: Any, *, context: WeightContext
    ) -> FloatArray:
        b, _, _, k = children.shape
        out = np.empty((b, k))
        for i in range(b):
            out[i], _ = pca_weights(children[i].reshape(-1, k), params)
        return out


BUILTIN_WEIGHTINGS: tuple[Weighting, ...] = (Fixed(), Equal(), Budget(), AHP(), PCA())


@hookimpl
def riskcore_weightings() -> Iterable[Weighting]:
    """Provide the built-in weighting methods."""
    return BUILTIN_WEIGHTINGS
