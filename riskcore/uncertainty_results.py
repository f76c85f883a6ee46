"""The results of an uncertainty or a sensitivity analysis (:mod:`riskcore.uncertainty`): their
records, JSON and text.

Both are re-exported by :mod:`riskcore.uncertainty`, where the analyses that produce them live.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.display import Displayed
from riskcore.methods.base import json_number
from riskcore.result import Scores
from riskcore.sensitivity import SobolResult
from riskcore.text import number

__all__ = ["SensitivityResult", "UncertaintyResult"]

FloatArray = NDArray[np.float64]


@dataclass(repr=False)  # the short repr, HTML and to_frame of riskcore.display.Displayed
class UncertaintyResult(Displayed):
    """Per country: the nominal score and rank and their distributions over the runs.

    :attr:`scores` is the nominal :class:`Scores` with the runs attached
    (:meth:`Scores.with_runs`): the same exports as a plain score, with intervals.
    """

    index: str
    year: int
    countries: tuple[str, ...]
    names: dict[str, str]
    factors: list[str]
    runs: int
    nominal_score: FloatArray
    nominal_rank: FloatArray
    score: dict[str, FloatArray]
    rank: dict[str, FloatArray]
    notes: list[str] = dataclasses.field(default_factory=list)
    scores: Scores | None = None

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per country, by nominal rank: ready for a rank-interval plot; with
        :attr:`scores`, each score's ``reliability`` (as in :meth:`Scores.to_dict`)."""
        order = np.lexsort((np.array(self.countries), np.nan_to_num(self.nominal_rank, nan=1e9)))
        found = self.scores.intervals(self.year) if self.scores is not None else None
        out = []
        for c in order:
            rec: dict[str, Any] = {
                "country": self.countries[c],
                "name": self.names.get(self.countries[c], self.countries[c]),
                "score": json_number(self.nominal_score[c]),
                "rank": json_number(self.nominal_rank[c]),
            }
            for k, v in self.score.items():
                rec[f"score_{k}"] = json_number(v[c])
            for k, v in self.rank.items():
                rec[f"rank_{k}"] = json_number(v[c])
            if found is not None:  # the score's grade, its interval width from these runs
                rec["reliability"] = found["reliability"][c]
            out.append(rec)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``riskcore uncertainty --format json``."""
        return {
            "index": self.index,
            "year": self.year,
            "runs": self.runs,
            "factors": self.factors,
            "notes": self.notes,
            "results": self.to_records(),
        }

    def table(self, countries: Sequence[str] | None = None, bands: Scores | None = None) -> str:
        """The text table of some countries (default: all, by nominal rank); with ``bands``
        (the nominal scores) each country's band too (:func:`riskcore.text.render_intervals`)."""
        from riskcore.text import render_intervals

        return render_intervals(self, countries, bands)

    def __str__(self) -> str:
        lines = [
            f"Uncertainty of {self.index}, {self.year}: {self.runs} runs over "
            f"{len(self.factors)} factor{'s' if len(self.factors) != 1 else ''} "
            f"({', '.join(self.factors)})",
            "",
            self.table(),
        ]
        lines += [f"\nNote: {n}" for n in self.notes]
        if self.scores is not None:
            width = (
                ""
                if not self.notes
                else " (its interval width from the rank range: only ranks compare)"
            )
            lines.append(
                f"\nRel.: reliability grade 0-10 of each score{width} (docs/partial-data.md)."
            )
        return "\n".join(lines)


@dataclass(repr=False)
class SensitivityResult(Displayed):
    """Sobol' indices of the summary output (mean absolute rank shift) and of each country."""

    index: str
    year: int
    countries: tuple[str, ...]
    runs: int
    summary: SobolResult
    per_country: SobolResult

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``riskcore sensitivity --format json``."""
        countries = {}
        for c, code in enumerate(self.countries):
            countries[code] = {
                name: {
                    "first": json_number(float(self.per_country.first[i, c])),
                    "first_ci": [json_number(float(b)) for b in self.per_country.first_ci[:, i, c]],
                    "total": json_number(float(self.per_country.total[i, c])),
                    "total_ci": [json_number(float(b)) for b in self.per_country.total_ci[:, i, c]],
                }
                for i, name in enumerate(self.per_country.names)
            }
        return {
            "index": self.index,
            "year": self.year,
            "runs": self.runs,
            "output": "mean absolute rank shift against the nominal ranks",
            "summary": self.summary.to_dict(),
            "countries": countries,
        }

    def __str__(self) -> str:
        s = self.summary
        lines = [
            f"Sensitivity of {self.index}, {self.year}: {self.runs} runs "
            f"(N = {s.n}), output: mean absolute rank shift",
            "",
            f"{'Factor':<28} {'first':>6} {'95% CI':>15} {'total':>6} {'95% CI':>15}",
        ]
        for i, name in enumerate(s.names):
            lines.append(
                f"{name:<28.28} {number(json_number(float(s.first[i])), 3):>6} "
                f"{_ci(s.first_ci[:, i]):>15} {number(json_number(float(s.total[i])), 3):>6} "
                f"{_ci(s.total_ci[:, i]):>15}"
            )
        if np.any(s.first < 0):
            lines.append(
                "\nNote: a slightly negative index is estimation noise around 0; its interval "
                "says how precise it is (more samples narrow it)."
            )
        return "\n".join(lines)


def _ci(bounds: FloatArray) -> str:
    lo, hi = (json_number(float(b)) for b in bounds)
    return "-" if lo is None or hi is None else f"[{lo:.3f}, {hi:.3f}]"
