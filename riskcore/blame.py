"""Who is at fault: an exception raised inside a plugin's method, named with its plugin.

The plugin host records every method object it collects (:func:`record_origin`); when scoring
fails, :func:`blame` searches the traceback for the outermost frame of such an object, so that
the error names the method and its plugin (and distribution) rather than the index file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from riskcore.errors import MethodError, RiskcoreError

__all__ = ["blame", "methods_blamed", "record_origin"]

#: Every method object a host has collected, by id: the object (kept, so that its id is not
#: reused), its kind, plugin and distribution.
_ORIGINS: dict[int, tuple[object, str, str, str | None]] = {}


def record_origin(obj: object, kind: str, plugin: str, distribution: str | None) -> None:
    """Remember where a method object came from.

    Parameters
    ----------
    obj : object
        The method.
    kind : str
        What it is ("normalization method", "outlier treatment", ...).
    plugin, distribution : str
        Who provides it.
    """
    _ORIGINS[id(obj)] = (obj, kind, plugin, distribution)


def blame(exc: BaseException) -> MethodError | None:
    """The :class:`~riskcore.errors.MethodError` for an exception raised inside a method that
    a plugin provides, naming the method and its plugin; None when no such method raised it.

    The traceback is searched for the outermost frame of a recorded method object (the call
    riskcore made), so that a helper the method calls is blamed on the method.
    """
    tb = exc.__traceback__
    while tb is not None:
        obj = tb.tb_frame.f_locals.get("self")
        found = _ORIGINS.get(id(obj)) if obj is not None else None
        if found is not None and found[0] is obj:
            _, kind, plugin, distribution = found
            return MethodError(
                f"{tb.tb_frame.f_code.co_name}() raised {type(exc).__name__}: {exc}",
                kind=kind,
                name=str(getattr(obj, "name", type(obj).__name__)),
                plugin=plugin,
                distribution=distribution,
            )
        tb = tb.tb_next
    return None


@contextlib.contextmanager
def methods_blamed() -> Iterator[None]:
    """Turn an exception raised inside a plugin's method into a
    :class:`~riskcore.errors.MethodError` naming the method and its plugin (other exceptions
    pass unchanged)."""
    try:
        yield
    except RiskcoreError:
        raise
    except Exception as exc:
        fault = blame(exc)
        if fault is None:
            raise
        raise fault from exc
