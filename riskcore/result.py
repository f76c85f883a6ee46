"""Scores: the immutable result of scoring an index, and its exports.

Every number keeps its labels and its provenance: the raw and normalised value of every
indicator, the score of every node, the coverage of every score, and the source of every input
value (:meth:`Scores.provenance`).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.data import Panel, Provenance
from riskcore.display import ScoresDisplay
from riskcore.engine import Evaluation
from riskcore.errors import SpecError
from riskcore.explain import Contribution, Explanation, explain
from riskcore.integrity import data_warnings, with_warnings
from riskcore.labels import country_position, year_position
from riskcore.methods.base import json_int, json_number
from riskcore.outside import placements
from riskcore.plan import Plan
from riskcore.reliability import reliability
from riskcore.runs import Runs, interval_fields
from riskcore.treat import Prepared

# Contribution and Explanation live in riskcore.explain; they stay importable from here.
__all__ = ["Contribution", "Explanation", "Scores"]

FloatArray = NDArray[np.float64]


class Scores(ScoresDisplay):
    """The scores of an index over a panel: per country and year.

    Attributes
    ----------
    plan : Plan
        The compiled index.
    panel : Panel
        The data it was scored on.
    countries, years : tuple
    score, rank, coverage : ndarray, shape (countries, years)
        Score on the index scale (NaN when it cannot be computed), rank within each year (1 the
        highest, ties sharing the lowest rank, NaN without a score), and the share of the index's
        weight backed by data (values riskcore imputed do not count; values the data mark
        ``imputed`` do here, though not in the reliability grade's coverage).
    imputed_share : ndarray, shape (countries, years)
        The share of the index's weight resting on imputed values.
    raw : ndarray, shape (leaves, countries, years)
        Indicator values as computed (and denominated), before imputation and treatment.
    values : ndarray, shape (leaves, countries, years)
        After screening, imputation and outlier treatment: what was normalised.
    imputed : ndarray of bool, shape (leaves, countries, years)
        Where a value was filled by imputation.
    excluded : ndarray of bool, shape (countries, years)
        Country-years left out by screening; :attr:`screening` says why.
    treatments : dict
        Leaf code to the report of its outlier treatment.
    derived : dict
        Name of each derived variable (``[variables]``) to its values, countries x years.
    weights : dict
        Node code to its children's weights as used (summing to one), after any weighting
        method.
    country_weights : dict
        For a node whose aggregation chooses each country's weights (``bod``): node code to
        those weights, shape ``(countries, years, children)``, NaN where the node has no value.
        The node's value (on the normalised scale) is their weighted sum of its children; they
        do not sum to one. :meth:`explain` and :meth:`to_dict` use them.
    normalized : ndarray, shape (leaves, countries, years)
    nodes : ndarray, shape (nodes, countries, years)
        Node values on the index scale, root last.
    node_values : ndarray, shape (nodes, countries, years)
        The same on the normalised scale (0..1), as the aggregations computed them.
    """

    def __init__(self, plan: Plan, panel: Panel, prepared: Prepared, ev: Evaluation) -> None:
        lo, hi = plan.scale
        self.plan = plan
        self.panel = panel
        self.countries: tuple[str, ...] = panel.countries
        self.years: tuple[int, ...] = panel.years
        self.raw: FloatArray = prepared.raw
        self.values: FloatArray = prepared.values
        self.imputed: NDArray[np.bool_] = prepared.imputed
        self.excluded: NDArray[np.bool_] = prepared.excluded
        self.treatments: dict[str, dict[str, Any]] = prepared.treatments
        self.screening: list[dict[str, Any]] = prepared.screening
        self.derived: dict[str, FloatArray] = prepared.derived
        self.normalized: FloatArray = ev.normalized[0]
        self.nodes: FloatArray = lo + (hi - lo) * ev.nodes[0]
        self.node_coverage: FloatArray = ev.node_coverage[0]
        self.score: FloatArray = ev.score[0]
        self.rank: FloatArray = ev.rank[0]
        self.prepared = prepared
        # each leaf's share of the index under the weights used (a dropped leaf counts 0)
        shares = ev.leaf_weights if ev.leaf_weights.size else plan.leaf_weights
        self._shares: FloatArray = shares[0] if shares.ndim == 2 else shares
        self.coverage = self.weight_share(prepared.observed & ~prepared.excluded)
        self.imputed_share: FloatArray = np.einsum(
            "lcy,l->cy", prepared.imputed.astype(float), self._shares
        )
        self.node_values: FloatArray = ev.nodes[0]  # on the normalised scale (0..1)
        self.weights: dict[str, dict[str, float]] = {}
        for node in plan.nodes:
            w = ev.weights[node.code]
            first = w[0] if w.ndim == 2 else w  # the nominal run
            self.weights[node.code] = dict(zip(node.child_codes, map(float, first), strict=True))
        self.country_weights: dict[str, FloatArray] = {
            code: chosen[0] for code, chosen in ev.country_weights.items()
        }
        for arr in (
            self.raw, self.values, self.normalized, self.nodes, self.score, self.rank,
            self.coverage, self.imputed_share, self.imputed, self.excluded,
            *self.country_weights.values(),
        ):  # fmt: skip
            arr.flags.writeable = False
        self._runs: dict[int, Runs] = {}
        self.interval_level = 0.9
        self.pending_runs: Any = None  # () -> (runs, level): riskcore.intervals.defer_intervals
        self._check_domain()

    def weight_share(self, where: NDArray[np.bool_]) -> FloatArray:
        """The share of the index's weight on the leaf values ``where`` (leaves, countries,
        years) holds, per country and year, as :attr:`coverage` counts it: under the weights
        used, the weight of not-applicable leaves left out (it is no part of the index)."""
        out: FloatArray = np.einsum("lcy,l->cy", where.astype(float), self._shares)
        na = self.prepared.not_applicable
        if na is not None and na.any():
            rest = 1 - np.einsum("lcy,l->cy", na.astype(float), self._shares)
            with np.errstate(invalid="ignore", divide="ignore"):
                out = np.where(rest > 0, out / rest, 0.0)
        return out

    @property
    def runs(self) -> dict[int, Runs]:
        """Year to its :class:`~riskcore.runs.Runs`; pending intervals computed on first use."""
        if self.pending_runs is not None:
            pending, self.pending_runs = self.pending_runs, None
            self._runs, self.interval_level = pending()
        return self._runs

    @runs.setter
    def runs(self, value: dict[int, Runs]) -> None:
        self.pending_runs, self._runs = None, value

    def _check_domain(self) -> None:
        """Values a method cannot take (log of zero, geometric mean of negatives) are errors."""
        for i, leaf in enumerate(self.plan.leaves):
            bad = ~np.isnan(self.values[i]) & np.isnan(self.normalized[i])
            if bad.any():
                c, t = (int(a[0]) for a in np.nonzero(bad))
                where = f"{self.countries[c]}, {self.years[t]}"
                raise SpecError(
                    f"normalisation '{leaf.normalize_method}' cannot take the value "
                    f"{float(self.values[i, c, t])!r} of '{leaf.code}' ({where}); "
                    "choose another transform or method",
                    path=self.plan.path,
                    key=f"indicator.{leaf.code}.normalize",
                )
        slots = np.concatenate([self.normalized, self.node_values])
        for j, node in enumerate(self.plan.nodes):
            kids = list(node.children)
            values = slots[kids]
            bad = np.all(~np.isnan(values), axis=0) & np.isnan(self.node_values[j])
            if bad.any():
                c, t = (int(a[0]) for a in np.nonzero(bad))
                key = "index" if j == len(self.plan.nodes) - 1 else f"node.{node.code}"
                here = values[:, c, t]
                given = ", ".join(
                    f"{code} = {float(v):g}" for code, v in zip(node.child_codes, here, strict=True)
                )
                # the hint only where it is the cause: a negative child
                hint = (
                    "; a child is negative, and this aggregation takes non-negative values only: "
                    "normalise onto 0..1 (minmax, goalpost) or choose another aggregation"
                    if (here < 0).any()
                    else ""
                )
                raise SpecError(
                    f"aggregation '{node.aggregate_method}' of '{node.code}' gives no value for "
                    f"{self.countries[c]} {self.years[t]} although every child has one "
                    f"({given}){hint}",
                    path=self.plan.path,
                    key=f"{key}.aggregation",
                )

    # -- labels -----------------------------------------------------------------------------
    @property
    def indicator_codes(self) -> list[str]:
        """Leaf codes, in tree order."""
        return [leaf.code for leaf in self.plan.leaves]

    @property
    def node_codes(self) -> list[str]:
        """Node codes, root last."""
        return [n.code for n in self.plan.nodes]

    def year_index(self, year: int | None) -> int:
        """Position of ``year`` (None: the latest year in the data); a
        :class:`~riskcore.errors.LabelError` (a KeyError) when it is not in the data."""
        return year_position(self.years, year)

    def country_index(self, country: str) -> int:
        """Position of a country code (any case); a :class:`~riskcore.errors.LabelError` (a
        KeyError) when it is not in the data."""
        return country_position(self.countries, country)

    # -- runs -------------------------------------------------------------------------------
    def with_runs(self, runs: Runs, *, level: float | None = None) -> Scores:
        """These scores with the runs of one year attached: the exports then give every
        country of that year its interval of score and rank at ``level``, and the probability
        of each band.

        Parameters
        ----------
        runs : Runs
            From an uncertainty analysis or the intervals of a score, for one of :attr:`years`.
        level : float, optional
            The interval's level (default: as before, 0.9 at first).

        Returns
        -------
        Scores
            A new object; these scores are unchanged.
        """
        t = self.year_index(runs.year)
        if level is not None and not 0.0 < float(level) < 1.0:
            raise ValueError(f"the interval level must lie between 0 and 1, got {level}")
        if runs.n_countries != len(self.countries):
            raise ValueError(
                f"runs of {runs.n_countries} countries do not fit {len(self.countries)} countries"
            )
        out = copy.copy(self)
        out.runs = {**self.runs, self.years[t]: runs}
        out.interval_level = self.interval_level if level is None else float(level)
        return out

    def intervals(self, year: int | None = None) -> dict[str, Any] | None:
        """The intervals of a year's scores and ranks, or None when no runs are attached for it.

        Returns
        -------
        dict or None
            ``score_low``, ``score_high``, ``rank_low``, ``rank_high`` (arrays per country),
            ``level``, ``runs`` (their number) and ``band_probabilities`` (band name to an
            array per country; empty without bands). When the runs' scores are not on one
            scale (:attr:`Runs.comparable` is False: the normalisation varies), the score
            bounds are NaN and there are no band probabilities: only ranks compare.
            ``reliability``: per country (:func:`riskcore.reliability.reliability`);
            ``outside``: per country, where the score lies against its interval
            (:func:`riskcore.outside.placements`).
        """
        runs = self.runs.get(self.years[self.year_index(year)])
        if runs is None:
            return None
        out: dict[str, Any] = dict(runs.interval(self.interval_level))
        out["level"] = self.interval_level
        out["runs"] = runs.n
        out["band_probabilities"] = (
            runs.band_probabilities(self.plan.bands) if self.plan.bands and runs.comparable else {}
        )
        if not runs.comparable:  # scores of different runs on different scales: ranks only
            out["score_low"] = out["score_high"] = np.full(len(self.countries), np.nan)
        out["reliability"] = reliability(self, self.years[self.year_index(year)], out)
        out["outside"] = placements(self, self.years[self.year_index(year)], out)
        return out

    # -- exports ----------------------------------------------------------------------------
    def to_records(
        self, year: int | None = None, *, all_years: bool = False
    ) -> list[dict[str, Any]]:
        """One flat dict per country (and year), ranked within each year.

        Parameters
        ----------
        year : int, optional
            The year (default: the latest year in the data).
        all_years : bool
            Every year instead of one.

        Returns
        -------
        list of dict
            Keys ``country, name, year, score, rank, coverage``, then ``node:<code>`` and
            ``raw:<code>`` / ``norm:<code>`` for every indicator.
        """
        years = range(len(self.years)) if all_years else [self.year_index(year)]
        out = []
        for t in years:
            found = self.intervals(self.years[t])
            for r in self._ranked(t):
                rec: dict[str, Any] = {
                    "country": self.countries[r],
                    "name": self.panel.country_names.get(self.countries[r], self.countries[r]),
                    "year": self.years[t],
                    "score": json_number(self.score[r, t]),
                    "rank": json_int(self.rank[r, t]),
                    "coverage": json_number(self.coverage[r, t]),
                    "band": self._band(float(self.score[r, t])),
                }
                rec.update(interval_fields(found, r, flat=True))
                for j, code in enumerate(self.node_codes[:-1]):
                    rec[f"node:{code}"] = json_number(self.nodes[j, r, t])
                for i, code in enumerate(self.indicator_codes):
                    rec[f"raw:{code}"] = json_number(self.raw[i, r, t])
                    rec[f"norm:{code}"] = json_number(self.normalized[i, r, t])
                out.append(rec)
        return out

    def _ranked(self, t: int) -> list[int]:
        rank = self.rank[:, t]
        key = np.where(np.isnan(rank), np.inf, rank)
        return [int(i) for i in np.lexsort((np.array(self.countries), key))]

    def ranked(self, year: int | None = None) -> list[int]:
        """Row positions of the countries in rank order for one year: by rank, ties and the
        countries without a score (last) by code.

        Parameters
        ----------
        year : int, optional
            Default: the latest year in the data.

        Returns
        -------
        list of int
            Positions in :attr:`countries`.
        """
        return self._ranked(self.year_index(year))

    def unscored(self, year: int | None = None) -> dict[str, str]:
        """The countries without a score in a year, each with the reason in words.

        Returns
        -------
        dict
            Country code to the reason: screened out (with the screening's reason), the
            indicators that have no data, or too little of the index covered.
        """
        t = self.year_index(year)
        y = self.years[t]
        screened = {r["country"]: r["reason"] for r in self.screening if r["year"] == y}
        label = {leaf.code: leaf.name for leaf in self.plan.leaves}
        out: dict[str, str] = {}
        for r in self._ranked(t):
            if not math.isnan(self.score[r, t]):
                continue
            c = self.countries[r]
            if c in screened:
                out[c] = f"screened out: {screened[c]}"
                continue
            why = "; ".join(
                f"no {label[code]} ({code}): no data on {', '.join(vs)}"
                if vs
                else f"no {label[code]} ({code}) could be computed"
                for code, vs in self.missing_inputs(c, y).items()
            )
            out[c] = why or "too little of the index is covered"
        return out

    def informative_years(self) -> list[int]:
        """Years in which at least one country has a score other than the index's lowest
        value (in the others the index does not tell the countries apart)."""
        lo = self.plan.scale[0]
        return [
            y
            for t, y in enumerate(self.years)
            if np.any(~np.isnan(self.score[:, t]) & (self.score[:, t] != lo))
        ]

    def not_applicable(self, year: int | None = None) -> list[str]:
        """Indicators declared ``missing = "not_applicable"`` that apply to no country in
        ``year``: the year's scores rest on the other indicators."""
        t = self.year_index(year)
        return [
            leaf.code
            for i, leaf in enumerate(self.plan.leaves)
            if leaf.missing == "not_applicable" and np.isnan(self.raw[i, :, t]).all()
        ]

    def comparable_years(self) -> list[int]:
        """The informative years scored on the same indicators as the latest of them: a
        trend over them compares a constant set (no indicator that applies in one year and not
        in the other)."""
        years = self.informative_years()
        if not years:
            return []
        last = self.not_applicable(years[-1])
        return [y for y in years if self.not_applicable(y) == last]

    def _chosen_weights(self, r: int, t: int) -> dict[str, Any]:
        """``{"weights": {node: {child: weight}}}`` for nodes that chose this country's weights
        (nothing when there are none, so the JSON of other indices is unchanged)."""
        if not self.country_weights:
            return {}
        nodes = {node.code: node for node in self.plan.nodes}
        return {
            "weights": {
                code: dict(zip(nodes[code].child_codes, map(json_number, w[r, t]), strict=True))
                for code, w in self.country_weights.items()
            }
        }

    def to_dict(self, year: int | None = None) -> dict[str, Any]:
        """The JSON object of ``riskcore score --format json`` for one year."""
        t = self.year_index(year)
        found = self.intervals(self.years[t])
        results = []
        for r in self._ranked(t):
            results.append(
                {
                    "country": self.countries[r],
                    "name": self.panel.country_names.get(self.countries[r], self.countries[r]),
                    "score": json_number(self.score[r, t]),
                    "rank": json_int(self.rank[r, t]),
                    "coverage": json_number(self.coverage[r, t]),
                    "band": self._band(float(self.score[r, t])),
                    **interval_fields(found, r),
                    "imputed": [
                        code for i, code in enumerate(self.indicator_codes) if self.imputed[i, r, t]
                    ],
                    "nodes": {
                        code: json_number(self.nodes[j, r, t])
                        for j, code in enumerate(self.node_codes[:-1])
                    },
                    "indicators": {
                        leaf.code: {
                            "raw": json_number(self.raw[i, r, t]),
                            "normalized": json_number(self.normalized[i, r, t]),
                            "inputs": [
                                self.panel.source_of(v, self.countries[r], self.years[t]).to_dict()
                                for v in leaf.inputs
                            ],
                        }
                        for i, leaf in enumerate(self.plan.leaves)
                    },
                    **self._chosen_weights(r, t),
                }
            )
        out = {
            "index": {"code": self.plan.code, "name": self.plan.name},
            "year": self.years[t],
            "scale": list(self.plan.scale),
            "results": results,
            "treatment": self.treatment_report(self.years[t]),
        }
        if self.plan.derived:  # each derived variable, its formula and the data behind it
            out["variables"] = {d.name: d.to_dict() for d in self.plan.derived}
            for record in results:
                r = self.countries.index(record["country"])
                record["variables"] = {
                    name: json_number(v[r, t]) for name, v in self.derived.items()
                }
        return with_warnings(out, data_warnings(self))

    def treatment_report(self, year: int | None = None) -> dict[str, Any]:
        """What data treatment did: methods per indicator, imputed values, outliers, screening.

        Parameters
        ----------
        year : int, optional
            Restrict the lists of imputed values and excluded countries to one year.

        Returns
        -------
        dict
            ``indicators`` (per code: imputation and outlier method, values imputed), ``imputed``
            (country, year, indicator of every filled value), ``outliers`` (the treatments'
            reports) and ``screened`` (excluded country-years with the reason).
        """
        years = range(len(self.years)) if year is None else [self.year_index(year)]
        imputed = [
            {"country": self.countries[c], "year": self.years[t], "indicator": leaf.code}
            for i, leaf in enumerate(self.plan.leaves)
            for c in range(len(self.countries))
            for t in years
            if self.imputed[i, c, t]
        ]
        return {
            "indicators": {
                leaf.code: {
                    "impute": leaf.impute_method,
                    "outliers": leaf.treat_method,
                    "normalize": leaf.normalize_method,
                    "imputed_values": int(self.imputed[i][:, list(years)].sum()),
                }
                for i, leaf in enumerate(self.plan.leaves)
            },
            "imputed": imputed,
            "outliers": self.treatments,
            "screened": [
                r for r in self.screening if year is None or r["year"] == self.years[years[0]]
            ],
        }

    def to_json(self, year: int | None = None, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text (NaN written as null)."""
        return json.dumps(self.to_dict(year), indent=indent, ensure_ascii=False)

    def to_csv(self, year: int | None = None, *, all_years: bool = False) -> str:
        """:meth:`to_records` as CSV text."""
        records = self.to_records(year, all_years=all_years)
        buf = io.StringIO()
        if records:
            # every key of every record, in first-seen order (years with runs add intervals)
            fields = list(dict.fromkeys(k for rec in records for k in rec))
            writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
        return buf.getvalue()

    # -- explanation and provenance ---------------------------------------------------------
    def explain(self, country: str, year: int | None = None) -> Explanation:
        """Each indicator's contribution to a country's score.

        Contributions are in points of the index scale and add up to ``score - low``. At an
        arithmetic node they are exact: ``(high - low) * w * normalized`` with ``w`` the leaf's
        effective weight; at a benefit-of-the-doubt node too, with the country's own weights
        (:attr:`country_weights`). At any other node, and at a rounded one, the node's
        contribution is shared among its children in proportion to ``w_k * value_k``, which
        keeps the sum exact and is documented in docs/explain.md.

        Parameters
        ----------
        country : str
        year : int, optional
            Default: the latest year in the data.

        Returns
        -------
        Explanation
        """
        return explain(self, country, year)

    def provenance(self, country: str, year: int | None = None) -> dict[str, list[Provenance]]:
        """The sources of every input value behind a country's score.

        Returns
        -------
        dict
            Indicator code to the :class:`~riskcore.data.Provenance` of each variable it reads.
        """
        r, t = self.country_index(country), self.year_index(year)
        c, y = self.countries[r], self.years[t]
        return {
            leaf.code: [self.panel.source_of(v, c, y) for v in leaf.inputs]
            for leaf in self.plan.leaves
        }

    def band(self, country: str, year: int | None = None) -> str | None:
        """The risk band of a country's score (None without bands or without a score)."""
        r, t = self.country_index(country), self.year_index(year)
        return self._band(float(self.score[r, t]))

    def band_of(self, value: float) -> str | None:
        """The risk band a score on the index scale falls in (None without bands or for NaN)."""
        return self._band(value)

    def _band(self, value: float) -> str | None:
        if math.isnan(value) or not self.plan.bands:
            return None
        found = None
        for name, start in self.plan.bands:
            if value >= start - 1e-12:
                found = name
        return found

    def missing_inputs(self, country: str, year: int | None = None) -> dict[str, list[str]]:
        """The indicators a country lacks in a year, with the data variables that are missing.

        Returns
        -------
        dict
            Indicator code to the list of its required variables that are missing (empty when
            every input is present but the indicator still has no value).
        """
        r, t = self.country_index(country), self.year_index(year)
        out: dict[str, list[str]] = {}
        for i, leaf in enumerate(self.plan.leaves):
            if math.isnan(self.raw[i, r, t]):
                out[leaf.code] = [
                    v for v in leaf.inputs if v not in self.panel or math.isnan(self.panel[v][r, t])
                ]
        return out

    def __repr__(self) -> str:
        return (
            f"<Scores '{self.plan.code}': {len(self.countries)} countries x "
            f"{len(self.years)} years, {len(self.plan.leaves)} indicators>"
        )
