"""Method plugins isolated like indicator plugins: each fault names the method and its plugin.

A normaliser, aggregator, imputer, outlier treatment or weighting that comes from a plugin other
than riskcore's own is handed out by :class:`~riskcore.plugins.PluginHost` wrapped in a
:class:`GuardedMethod`. Its ``__call__`` runs the method, and refuses, as a
:class:`~riskcore.errors.MethodError` naming the method, its plugin and its distribution:

- an exception raised by the method (the message keeps the exception's type and text);
- a result that is not an array of real numbers (text, objects, complex numbers);
- a result of the wrong shape;
- a result that breaks the contract of its kind (see :data:`CONTRACTS`): an infinite value
  anywhere; NaN where every input was present (normalisers, aggregators, imputers, outlier
  treatments); weights that are negative or do not sum to a positive number.

A numpy warning while the method runs ("overflow encountered in multiply") comes again as a
warning naming the method and its plugin. Every other attribute (``name``, ``Params``,
``center``, ``check``, ...) is the method's own.
The built-in methods are riskcore's own code, tested against published tables, and are not
wrapped.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from riskcore.errors import MethodError, RiskcoreError

__all__ = ["CONTRACTS", "Contract", "GuardedMethod", "real_array"]

FloatArray = NDArray[np.float64]


def real_array(out: Any) -> FloatArray | str:
    """``out`` as a float array, or what is wrong with it ("complex values", "text")."""
    try:
        arr = np.asarray(out)
    except Exception as exc:  # an object numpy cannot take
        return f"not an array ({type(exc).__name__}: {exc})"
    if arr.dtype.kind == "c":
        return "complex values"
    if arr.dtype.kind not in "iuf":
        return f"values of type {arr.dtype} ({type(out).__name__}), not numbers"
    return arr.astype(np.float64, copy=False)


@dataclass(frozen=True)
class Contract:
    """What one kind of method must return.

    Attributes
    ----------
    shape : callable
        ``shape(args, kwargs) -> tuple`` the expected shape of the result, given the call.
    inputs : callable
        ``inputs(args) -> array`` of the values each result element depends on being present
        (NaN in the result is a fault where these are all present), or None when NaN is never
        allowed.
    pair : bool
        The result is ``(array, report)`` (outlier treatments).
    weights : bool
        The result is weights: non-negative, summing to a positive number per row.
    """

    shape: Callable[[tuple[Any, ...], dict[str, Any]], tuple[int, ...]]
    inputs: Callable[[tuple[Any, ...]], Any] | None = None
    pair: bool = False
    weights: bool = False


def _first_shape(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, ...]:
    return tuple(np.shape(args[0]))


def _reduced_shape(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, ...]:
    return tuple(np.shape(args[0]))[:-1]


def _weights_shape(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[int, ...]:
    return (np.shape(args[0])[0], np.shape(args[1])[-1])


def _first(args: tuple[Any, ...]) -> Any:
    return args[0]


def _all_children(args: tuple[Any, ...]) -> Any:
    values = np.asarray(args[0], dtype=np.float64)
    return np.where(np.isnan(values).any(axis=-1), np.nan, 0.0)


#: The contract of each kind of method, by its :class:`~riskcore.plugins.Kind` slot.
CONTRACTS: dict[str, Contract] = {
    "normalizers": Contract(_first_shape, _first),
    "aggregators": Contract(_reduced_shape, _all_children),
    "imputers": Contract(_first_shape, _first),
    "treatments": Contract(_first_shape, _first, pair=True),
    "weightings": Contract(_weights_shape, weights=True),
}


class GuardedMethod:
    """A method from a plugin, whose faults are reported with its name and its plugin.

    Parameters
    ----------
    method : object
        The method object the plugin provides.
    contract : Contract
        What its ``__call__`` must return.
    kind : str
        What it is, for messages ("normalization method").
    plugin : str
        The plugin that provides it.
    distribution : str, optional
        The distribution that declares the plugin.
    warning : type of Warning
        The class of the warnings naming the method (numpy's warnings while it runs).
    """

    def __init__(
        self,
        method: Any,
        contract: Contract,
        kind: str,
        plugin: str,
        distribution: str | None,
        warning: type[Warning] = UserWarning,
    ) -> None:
        self.__dict__.update(
            _method=method,
            _contract=contract,
            _kind=kind,
            _plugin=plugin,
            _distribution=distribution,
            _warning=warning,
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_method"], name)

    def __repr__(self) -> str:
        return f"<{self._kind} {self._method.name!r} of plugin {self._plugin!r}>"

    def _who(self) -> str:
        dist = f", distribution {self._distribution}" if self._distribution else ""
        return f"{self._kind} '{self._method.name}' (plugin '{self._plugin}'{dist})"

    def _fault(self, message: str) -> MethodError:
        return MethodError(
            message,
            kind=self._kind,
            name=str(getattr(self._method, "name", "?")),
            plugin=self._plugin,
            distribution=self._distribution,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        contract: Contract = self._contract
        fault: Exception | None = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = self._method(*args, **kwargs)
            except RiskcoreError:
                raise
            except Exception as exc:
                fault = exc
        self._rewarn(caught)
        if fault is not None:
            raise self._fault(f"raised {type(fault).__name__}: {fault}") from fault
        report = None
        if contract.pair:
            if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict)):
                raise self._fault("returned something other than (values, report dict)")
            out, report = out
        arr = real_array(out)
        if isinstance(arr, str):
            raise self._fault(f"returned {arr}")
        self._check(arr, args, kwargs)
        return arr if report is None else (arr, report)

    def _rewarn(self, caught: list[warnings.WarningMessage]) -> None:
        """The method's warnings again, numpy's own ("overflow encountered in multiply") as a
        warning naming the method and its plugin."""
        for w in caught:
            if issubclass(w.category, RuntimeWarning):
                warnings.warn(f"{self._who()}: {w.message}", self._warning, stacklevel=4)
            else:
                warnings.warn(w.message, w.category, stacklevel=4)

    def _check(self, arr: FloatArray, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        contract: Contract = self._contract
        expected = contract.shape(args, kwargs)
        if contract.weights:
            if arr.ndim != 2 or arr.shape[1] != expected[1] or arr.shape[0] not in (1, expected[0]):
                raise self._fault(f"returned shape {arr.shape}, expected {expected}")
            if not np.isfinite(arr).all():
                raise self._fault("returned NaN or infinite weights")
            if (arr < 0).any() or (arr.sum(axis=1) <= 0).any():
                raise self._fault("returned negative weights, or weights without a positive sum")
            return
        if arr.shape != expected:
            raise self._fault(f"returned shape {arr.shape}, expected {expected}")
        if np.isinf(arr).any():
            raise self._fault(
                f"returned infinite values ({int(np.isinf(arr).sum())} of {arr.size})"
            )
        if contract.inputs is not None:
            present = ~np.isnan(np.asarray(contract.inputs(args), dtype=np.float64))
            lost = np.isnan(arr) & present
            if lost.any():
                raise self._fault(
                    f"returned NaN for {int(lost.sum())} value(s) whose inputs are all present"
                )
