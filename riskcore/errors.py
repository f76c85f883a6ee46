"""The exceptions riskcore raises.

The tree::

    RiskcoreError                 every error riskcore raises on purpose
    ├── DataError (ValueError)    a data file or frame is malformed
    ├── SpecError (ValueError)    an index file is malformed or does not fit the data/plugins
    │   └── LabelError (KeyError) a country or year asked for is not in the data
    ├── OptionError (ValueError)  an option of a function is out of its range (samples, seed)
    └── PluginError               a plugin is at fault (names the plugin)
        ├── PluginLoadError       a plugin failed to import or register (strict mode)
        ├── IndicatorError        an indicator's ``compute`` failed or returned a bad array
        └── MethodError           a method (normaliser, aggregator, imputer, outlier
                                  treatment, weighting) raised or returned a bad array

Input problems subclass both :class:`RiskcoreError` and :class:`ValueError`. Every message names
the file and the line or key path, what was found and what was expected. The command line turns
a :class:`PluginError` into exit code 1 (:data:`EXIT_PLUGIN`, a plugin's fault, with a message
that starts ``plugin fault:`` and names the plugin) and any other :class:`RiskcoreError` into
exit code 2 and one readable message.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = [
    "EXIT_PLUGIN",
    "DataError",
    "ExtraError",
    "IndicatorError",
    "LabelError",
    "MethodError",
    "OptionError",
    "PluginError",
    "PluginLoadError",
    "RiskcoreError",
    "SpecError",
]

#: The command line's exit code for a plugin's fault (:class:`PluginError`): the same as for
#: any other unexpected fault, since the user's input is not to blame.
EXIT_PLUGIN = 1


class RiskcoreError(Exception):
    """Base class of every error riskcore raises on purpose."""


class _InputError(RiskcoreError, ValueError):
    """An input problem located in a file: ``<file>[, where]: message``."""

    def __init__(self, message: str, path: str | None, default: str, where: str) -> None:
        self.path = path
        self.detail = message
        super().__init__(f"{path or default}{where}: {message}")


class DataError(_InputError):
    """A data file or data frame is malformed.

    Parameters
    ----------
    message : str
        What was found and what was expected.
    path : str, optional
        The file (or ``"<DataFrame>"``) the problem is in.
    line : int, optional
        The 1-based line of the file (the header is line 1).
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.line = line
        super().__init__(message, path, "<data>", f", line {line}" if line is not None else "")


class SpecError(_InputError):
    """An index file is malformed, or does not fit the plugins and the data.

    Parameters
    ----------
    message : str
        What was found and what was expected.
    path : str, optional
        The index file.
    key : str, optional
        The dotted key path in the file, such as ``node.exposure.children``.
    """

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.key = key
        super().__init__(message, path, "<index>", f": key '{key}'" if key else "")


class LabelError(SpecError, KeyError):
    """A country or year asked for is not in the data: from Python (``Scores.explain("XYZ")``),
    from a command-line option (``--year``) or from a file (a scenario's ``years``).

    The same message wherever it is asked for. A :class:`SpecError`, because a file may have
    asked for the label, and a :class:`KeyError`, as any failed lookup by label is.

    Parameters
    ----------
    message : str
    path : str, optional
        The file the label was asked for in, or the data file it is missing from.
    key : str, optional
        The key of that file, or the command-line option, that asked for it.
    """

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.key = key
        where = f"{path}: " if path else ""
        if key:
            where += f"{key}: " if key.startswith("--") else f"key '{key}': "
        self.path, self.detail = path, message
        Exception.__init__(self, where + message)

    def __str__(self) -> str:  # not KeyError's quoted form
        return str(self.args[0])


class ExtraError(RiskcoreError, ImportError):
    """A feature needs an optional extra that is not installed (``pip install
    'riskcore[scipy]'``): a set-up to complete, not a fault, so exit code 2 on the command line.
    """


def read_input(path: str | Path, error: type[DataError] | type[SpecError], what: str) -> bytes:
    """The bytes of an input file, or ``error`` naming the file and what went wrong.

    Parameters
    ----------
    path : str or Path
    error : DataError or SpecError
        The class to raise.
    what : str
        What the file should be, for the message about a directory ("a CSV file").

    Notes
    -----
    ``"-"`` reads standard input, as the command line's ``--data -``.
    """
    name = str(path)
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise error("file not found", path=name) from None
    except IsADirectoryError:
        raise error(f"is a directory, expected {what}", path=name) from None
    except OSError as exc:
        raise error(f"cannot read the file ({exc.strerror})", path=name) from None


class OptionError(RiskcoreError, ValueError):
    """An option given to a function is outside its range (``samples=3``, ``seed=-1``)."""


class PluginError(RiskcoreError):
    """A plugin is at fault: the base of every error that names a plugin as its cause."""


class PluginLoadError(PluginError):
    """A plugin failed to import or register, raised in strict mode.

    Parameters
    ----------
    message : str
        What went wrong.
    plugin : str
        The plugin (entry point) name.
    distribution : str, optional
        The distribution that declares the plugin.
    """

    def __init__(self, message: str, *, plugin: str, distribution: str | None = None) -> None:
        self.plugin = plugin
        self.distribution = distribution
        super().__init__(message)


class IndicatorError(PluginError):
    """An indicator failed to compute, or returned an array of the wrong shape.

    Parameters
    ----------
    message : str
        What went wrong.
    code : str
        The indicator code.
    plugin : str
        The plugin that provides the indicator.
    """

    def __init__(self, message: str, *, code: str, plugin: str) -> None:
        self.code = code
        self.plugin = plugin
        super().__init__(f"indicator '{code}' (plugin '{plugin}'): {message}")


class MethodError(PluginError):
    """A method from a plugin raised, or returned an array its contract forbids.

    Parameters
    ----------
    message : str
        What went wrong.
    kind : str
        What the method is ("normalization method", "aggregation method", ...).
    name : str
        The method's name, as an index file selects it.
    plugin : str
        The plugin that provides it.
    distribution : str, optional
        The distribution that declares the plugin.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        name: str,
        plugin: str,
        distribution: str | None = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self.plugin = plugin
        self.distribution = distribution
        dist = f", distribution {distribution}" if distribution else ""
        super().__init__(f"{kind} '{name}' (plugin '{plugin}'{dist}): {message}")
