"""The ``riskcore`` command line: ``demo``, ``score``, ``plugins`` and ``schema``.

Exit codes: 0 success; 2 invalid input or usage (one paragraph on stderr naming the file and the
line or key, or the option, no traceback); 1 an unexpected fault, including every plugin fault
(:class:`~riskcore.errors.PluginError`: an indicator or method that raises or returns a bad
array, a plugin refused in strict mode; the message starts ``plugin fault:`` and names the
plugin; set ``RISKCORE_DEBUG=1`` for the traceback). Every file written (``--output``) goes
through a temporary file renamed into place, so a failure never leaves a half-written file.
Nothing beyond the standard library is imported at start (riskcore's public names load on first
use); a command imports numpy, pydantic and pluggy when it runs, and pandas never.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from riskcore._args import (
    MIN_SAMPLES,
    YEARS,
    fraction,
    interval_arguments,
    output_over_input,
    whole,
)
from riskcore._atomic import write_atomic
from riskcore.errors import EXIT_PLUGIN, PluginError, RiskcoreError, SpecError

__all__ = ["main"]

EXIT_OK, EXIT_FAULT, EXIT_INPUT = 0, 1, 2
#: The options that name a run's input files, which ``--output`` may never overwrite.
_INPUTS = ("index", "data", "assumptions", "scenario")


class InputError(RiskcoreError):
    """A bad command-line value (a year not in the data, an unreadable output path)."""


def _extra_countries(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        code, sep, name = item.partition("=")
        if not sep or not code.strip():
            raise InputError(
                f"--extra-country expects CODE=NAME (such as XKX=Kosovo), got {item!r}"
            )
        out[code.strip().upper()] = name.strip() or code.strip().upper()
    return out


def _write(text: str, output: str | None, stdout: TextIO) -> None:
    if output is None or output == "-":  # "-": standard output, as the default
        stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        write_atomic(output, text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise InputError(f"{output}: cannot write the output: {exc.strerror or exc}") from None


def _score_and_print(
    index: str | Path,
    data: str | Path,
    year: int | None,
    fmt: str,
    output: str | None,
    extra: dict[str, str],
    stdout: TextIO,
    skip: Sequence[str] = (),
    details: bool = False,
    intervals: Any = False,
    every_warning: bool = False,
) -> None:
    from riskcore import text as show
    from riskcore.api import score
    from riskcore.integrity import data_warnings

    result = score(index, data, extra_countries=extra, skip_columns=skip, intervals=intervals)
    _spare_side_files(result, output)
    _year_in(result, year, str(data))
    if fmt == "json":
        text = result.to_json(year)
    elif fmt == "csv":
        text = result.to_csv(year)
    else:
        parts = [show.render_table(result, year)]
        if details:
            parts += [show.render_indicators(result, year), show.render_years(result)]
        text = "\n\n".join([*parts, show.render_sources(result)])
    _write(text, output, stdout)
    stdout.flush()  # the table first, then the warnings (stderr), in a terminal too
    for line in show.render_warnings(data_warnings(result), every=every_warning):
        print(line, file=sys.stderr)


def _cmd_audit(args: argparse.Namespace, stdout: TextIO) -> None:
    from riskcore.audit import audit

    result = _scored(args)
    _year_in(result, args.year, args.data)
    report = audit(
        result,
        args.year,
        all_years=args.all_years,
        method=args.correlation,
        collinear=args.collinear,
        negative=args.negative,
    )
    text = json.dumps(report.to_dict(), indent=2) if args.format == "json" else str(report)
    _write(text, args.output, stdout)


class _ProgressBar:
    """A one-line progress bar on stderr, drawn only for a terminal (or when forced)."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {done}/{total} runs")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")


def _cmd_analysis(args: argparse.Namespace, stdout: TextIO) -> None:
    from riskcore.uncertainty import sensitivity_analysis, uncertainty_analysis

    result = _scored(args)
    _year_in(result, args.year, args.data)
    assumptions = _assumptions(args.assumptions, result)
    client: Any = None
    backend = "local"
    if args.workers > 1 or args.scheduler:
        backend = "dask"
        client = _dask_client(args.scheduler, args.workers)
    bar = _ProgressBar(args.command, args.progress or sys.stderr.isatty())
    run = uncertainty_analysis if args.command == "uncertainty" else sensitivity_analysis
    try:
        out = run(
            result,
            assumptions,
            samples=args.samples,
            seed=args.seed,
            year=args.year,
            chunk=args.chunk,
            backend=backend,
            client=client,
            progress=bar,
        )
    finally:
        bar.close()
        if client is not None and not args.scheduler:
            client.close()
    text = json.dumps(out.to_dict(), indent=2) if args.format == "json" else str(out)
    _write(text, args.output, stdout)


def _assumptions(path: str | None, result: Any) -> Any:
    """The assumptions of a file given with --assumptions, or the index file's own table."""
    from riskcore.assumptions import load_assumptions

    if path:
        return load_assumptions(path)
    if result.plan.assumptions is None:
        raise SpecError("no [uncertainty] table", path=result.plan.path, key="uncertainty")
    return result.plan.assumptions


def _dask_client(scheduler: str | None, workers: int) -> Any:
    try:
        import dask.distributed
    except ImportError:
        raise InputError(
            "--workers and --scheduler need dask.distributed: pip install 'riskcore[dask]'"
        ) from None
    dd: Any = dask.distributed  # untyped library
    if scheduler:
        return dd.Client(scheduler)
    from riskcore.distributed import local_client

    return local_client(workers)


def _scored(args: argparse.Namespace) -> Any:
    from riskcore.api import score

    result = score(
        args.index,
        args.data,
        extra_countries=_extra_countries(args.extra_country),
        skip_columns=args.skip_column,
        intervals=interval_options(args),
    )
    _spare_side_files(result, args.output)
    return result


def interval_options(args: argparse.Namespace) -> Any:
    """The interval options of a command that shows intervals (False for the others, and with
    ``--no-intervals``)."""
    if not hasattr(args, "draws") or args.no_intervals:
        return False
    from riskcore.intervals import IntervalOptions

    one = args.func in (_cmd_score, _cmd_demo)  # they show one year
    return IntervalOptions(
        draws=args.draws,
        level=args.level,
        seed=args.seed or 0,
        one_year=one,
        year=getattr(args, "year", None),
    )


def _spare_side_files(result: Any, output: str | None) -> None:
    """``--output`` may not name a file the index reads either (a budget weights file)."""
    base = Path(result.plan.path).parent if result.plan.path else Path.cwd()
    files = [
        ("weights", str(base / p))
        for node in result.plan.nodes
        if isinstance(p := getattr(node.weighting_params, "file", None), str)
    ]
    refused = output_over_input(output, files)
    if refused:
        raise InputError(refused)


def _year_in(result: Any, year: int | None, data: str) -> None:
    from riskcore.labels import year_position

    year_position(result.years, year, path=data)


def _cmd_trend(args: argparse.Namespace, stdout: TextIO) -> None:
    from riskcore.analysis import informative_years, trend

    result = _scored(args)
    years = result.comparable_years() or informative_years(result) or list(result.years)
    start = args.start if args.start is not None else years[0]
    end = args.end if args.end is not None else years[-1]
    for y in (start, end):
        _year_in(result, y, args.data)
    out = trend(result, start, end)
    text = json.dumps(out.to_dict(), indent=2) if args.format == "json" else str(out)
    _write(text, args.output, stdout)


def _cmd_scenario(args: argparse.Namespace, stdout: TextIO) -> None:
    from riskcore.analysis import load_scenario, run_scenario

    result = _scored(args)
    _year_in(result, args.year, args.data)
    out = run_scenario(result, load_scenario(args.scenario), year=args.year, path=args.scenario)
    text = json.dumps(out.to_dict(), indent=2) if args.format == "json" else str(out)
    _write(text, args.output, stdout)


def _cmd_report(args: argparse.Namespace, stdout: TextIO) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError("the report needs matplotlib: pip install 'riskcore[plot]'") from None
    from riskcore.report import build_report

    if args.output is None:
        raise InputError("riskcore report needs --output FILE (an .html file, or - for stdout)")
    result = _scored(args)
    _year_in(result, args.year, args.data)
    uncertainty = sensitivity = None
    if args.assumptions:
        from riskcore.uncertainty import uncertainty_and_sensitivity

        uncertainty, sensitivity = uncertainty_and_sensitivity(
            result,
            _assumptions(args.assumptions, result),
            samples=args.samples,
            seed=args.seed,
            year=args.year,
        )
    text = build_report(result, args.year, uncertainty=uncertainty, sensitivity=sensitivity)
    _write(text, args.output, stdout)


def _cmd_demo(args: argparse.Namespace, stdout: TextIO) -> None:
    from riskcore.examples import example_path

    if args.world:
        from riskcore.world import global_demo, global_scores

        if args.format == "csv":
            raise InputError("demo --global prints a table or --format json, not csv")
        world = global_scores()
        _year_in(world, args.year, str(example_path("global") / "inputs.csv"))
        result, text = global_demo(world, args.year)
        stdout.write(json.dumps(result.to_dict(), indent=2) if args.format == "json" else text)
        stdout.write("\n")
        return

    folder = example_path("post_soviet")
    _score_and_print(
        folder / "index.toml",
        folder / "inputs.csv",
        args.year,
        args.format,
        None,
        {},
        stdout,
        details=True,
        intervals=interval_options(args),
        every_warning=args.warnings,
    )


def _cmd_score(args: argparse.Namespace, stdout: TextIO) -> None:
    _score_and_print(
        args.index,
        args.data,
        args.year,
        args.format,
        args.output,
        _extra_countries(args.extra_country),
        stdout,
        args.skip_column,
        details=args.details,
        intervals=interval_options(args),
        every_warning=args.warnings,
    )


def _cmd_plugins(args: argparse.Namespace, stdout: TextIO) -> None:
    from riskcore.plugins import get_host
    from riskcore.text import render_plugins

    infos = get_host().list_plugins()
    if args.format == "json":
        _write(json.dumps([i.to_dict() for i in infos], indent=2), None, stdout)
        return
    _write(render_plugins(infos), None, stdout)


def _cmd_schema(args: argparse.Namespace, stdout: TextIO) -> None:
    from riskcore.spec import index_schema

    _write(json.dumps(index_schema(), indent=2), args.output, stdout)


#: The library's messages name a keyword argument and its option side by side; the command line
#: names its own option only.
_PYTHON_NAMES = {
    "extra_countries / --extra-country": "--extra-country",
    "skip_columns / --skip-column": "--skip-column",
}


def _options_only(message: str) -> str:
    for both, option in _PYTHON_NAMES.items():
        message = message.replace(both, option)
    return message


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings on the command line: one line, without riskcore's own file and line."""
    print(f"riskcore: warning: {message}", file=file or sys.stderr)


def _data_arguments(p: argparse.ArgumentParser, *, year: bool = True) -> None:
    """The arguments every command that scores an index file on a data file takes."""
    p.add_argument("index", help="index file (TOML)")
    p.add_argument("--data", required=True, help="data file (long or wide CSV; - for stdin)")
    if year:
        p.add_argument("--year", type=_YEAR, help="year to show (default: the latest in the data)")
    p.add_argument("--output", "-o", help="write to this file (default, or -: standard output)")
    p.add_argument(
        "--extra-country",
        action="append",
        default=[],
        metavar="CODE=NAME",
        help="accept a code outside ISO 3166-1, such as XKX=Kosovo (repeatable)",
    )
    p.add_argument(
        "--skip-column",
        action="append",
        default=[],
        metavar="NAME",
        help="leave out a column of a wide data file on purpose, such as a text column",
    )


_YEAR = whole(*YEARS)
_SEED_HELP = (
    "the same seed gives the same numbers; overrides the file's seed for every random draw, "
    "data noise included"
)
_SAMPLES = whole(MIN_SAMPLES)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``riskcore`` command."""
    from riskcore import __version__

    parser = argparse.ArgumentParser(
        prog="riskcore",
        description="Country risk scoring in which every indicator is a plugin.",
    )
    parser.add_argument("--version", action="version", version=f"riskcore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser("demo", help="score the bundled post-Soviet example")
    demo.add_argument("--year", type=_YEAR, help="year to show (default: the latest in the data)")
    demo.add_argument("--format", choices=("table", "json", "csv"), default="table")
    demo.add_argument(
        "--global",
        dest="world",
        action="store_true",
        help="score the global example instead: host fragility of every country, with intervals",
    )
    interval_arguments(demo, warnings=True)
    demo.set_defaults(func=_cmd_demo)

    sc = sub.add_parser("score", help="score an index file on a data file")
    _data_arguments(sc)
    sc.add_argument("--format", choices=("table", "json", "csv"), default="table")
    sc.add_argument(
        "--details", action="store_true", help="also every indicator's values and every year"
    )
    interval_arguments(sc, warnings=True)
    sc.set_defaults(func=_cmd_score)

    au = sub.add_parser("audit", help="statistical audit: correlations, alpha, PCA, weights")
    _data_arguments(au)
    au.add_argument("--all-years", action="store_true", help="pool every year of the data")
    au.add_argument("--correlation", choices=("pearson", "spearman"), default="pearson")
    au.add_argument("--collinear", type=fraction(0, 1), default=0.9, help="warn above this |r|")
    au.add_argument(
        "--negative",
        type=fraction(-1, 1),
        default=0.0,
        help="warn when r with the node is below this",
    )
    au.add_argument("--format", choices=("table", "json"), default="table")
    au.set_defaults(func=_cmd_audit)

    for name, text in (
        ("uncertainty", "Monte Carlo uncertainty: score and rank intervals per country"),
        ("sensitivity", "Sobol' sensitivity: first- and total-order indices per assumption"),
    ):
        an = sub.add_parser(name, help=text)
        _data_arguments(an)
        an.add_argument(
            "--assumptions",
            help="TOML file with an [uncertainty] table (default: the index file's own)",
        )
        an.add_argument(
            "--samples", type=_SAMPLES, help="runs (uncertainty) or base size N (sensitivity)"
        )
        an.add_argument(
            "--seed",
            type=whole(0),
            help=_SEED_HELP,
        )
        an.add_argument(
            "--workers", type=whole(1, 1024), default=1, help="local Dask workers (needs dask)"
        )
        an.add_argument("--scheduler", help="address of a Dask scheduler, tcp://host:8786")
        an.add_argument(
            "--chunk", type=whole(1), help="runs per batch (memory bound; default: by index size)"
        )
        an.add_argument("--progress", action="store_true", help="progress bar even when piped")
        an.add_argument("--format", choices=("table", "json"), default="table")
        an.set_defaults(func=_cmd_analysis)

    tr = sub.add_parser("trend", help="score and rank changes between two years, decomposed")
    _data_arguments(tr, year=False)
    tr.add_argument(
        "--from",
        dest="start",
        type=_YEAR,
        help="first year (default: the first of the years scored on the same indicators as the "
        "last, in which some country scores above the scale's low end: "
        "Scores.comparable_years())",
    )
    tr.add_argument(
        "--to", dest="end", type=_YEAR, help="second year (default: the last such year)"
    )
    tr.add_argument("--format", choices=("table", "json"), default="table")
    interval_arguments(tr)
    tr.set_defaults(func=_cmd_trend)

    scn = sub.add_parser("scenario", help="apply shocks from a scenario file, compare")
    _data_arguments(scn)
    scn.add_argument("--scenario", required=True, help="TOML file with a [scenario] table")
    scn.add_argument("--format", choices=("table", "json"), default="table")
    scn.set_defaults(func=_cmd_scenario)

    rp = sub.add_parser("report", help="one self-contained HTML report (needs matplotlib)")
    _data_arguments(rp)
    rp.add_argument(
        "--assumptions",
        help="add uncertainty and sensitivity analyses, with the [uncertainty] table of FILE",
    )
    rp.add_argument("--samples", type=_SAMPLES, help="runs for the uncertainty analysis")
    rp.add_argument("--seed", type=whole(0), help=_SEED_HELP)
    interval_arguments(rp, seed=False)
    rp.set_defaults(func=_cmd_report)

    pl = sub.add_parser("plugins", help="list plugins, what they provide and their status")
    pl.add_argument("--format", choices=("table", "json"), default="table")
    pl.set_defaults(func=_cmd_plugins)

    sch = sub.add_parser("schema", help="print the JSON Schema of the index file")
    sch.add_argument("--output", "-o", help="write to this file instead of standard output")
    sch.set_defaults(func=_cmd_schema)

    from riskcore.scaffold import add_command

    add_command(sub, _write)  # riskcore new-plugin
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success, 2 invalid input or usage, 1 an unexpected fault.
    """
    parser = build_parser()
    warnings.showwarning = _show_warning
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors are 2, --help/--version 0
        return int(exc.code or 0)
    try:
        refused = output_over_input(
            getattr(args, "output", None),
            [(what, getattr(args, what, None)) for what in _INPUTS],
        )
        if refused:
            raise InputError(refused)
        args.func(args, sys.stdout)
    except PluginError as exc:  # a plugin's fault, not the user's input
        print(f"riskcore {args.command}: plugin fault: {exc}", file=sys.stderr)
        return EXIT_PLUGIN
    except RiskcoreError as exc:
        print(f"riskcore {args.command}: error: {_options_only(str(exc))}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # output piped into `head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("RISKCORE_DEBUG"):
            traceback.print_exc()
        print(
            f"riskcore {args.command}: unexpected fault: {type(exc).__name__}: {exc}\n"
            "This is a bug in riskcore or a plugin; set RISKCORE_DEBUG=1 for the traceback and "
            "report it.",
            file=sys.stderr,
        )
        return EXIT_FAULT
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
