"""The corpus of malformed and hostile inputs: one row per case, run by tests/test_corpus.py.

Every case starts from the files of tests/corpus/ and changes one thing: a line of the data, a
key of the index, a value on the command line, a side file, a plugin. ``names`` are the words
the message must hold (the file and the line or key, or the option); ``code`` is the exit code
(2 invalid input, 1 a plugin's fault).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

Edit = str | bytes | Callable[[str], str | bytes]

SCORE = ("score", "index.toml", "--data", "data.csv")
UNC = ("uncertainty", "index.toml", "--data", "data.csv")
SENS = ("sensitivity", "index.toml", "--data", "data.csv")
AUDIT = ("audit", "index.toml", "--data", "data.csv")
TREND = ("trend", "index.toml", "--data", "data.csv")
SCEN = ("scenario", "index.toml", "--data", "data.csv", "--scenario", "scenario.toml")
REPORT = ("report", "index.toml", "--data", "data.csv")


@dataclass(frozen=True)
class Case:
    """One malformed input and what the command line must say about it."""

    id: str
    argv: tuple[str, ...]
    names: tuple[str, ...]
    files: Mapping[str, Edit] = field(default_factory=dict)
    code: int = 2
    output: bool = True  # run with --output out.txt over an existing file
    plugins: tuple[str, ...] = ()  # fake plugin distributions to put on the path


def sub(old: str, new: str) -> Callable[[str], str]:
    """Replace ``old`` (which must be there) by ``new``."""

    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


def line(n: int, text: str) -> Callable[[str], str]:
    """Replace line ``n`` (1-based) of the file."""

    def edit(old: str) -> str:
        lines = old.split("\n")
        lines[n - 1] = text
        return "\n".join(lines)

    return edit


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


def data(n: int, text: str, *names: str) -> Case:
    """A data file whose line ``n`` is ``text``: the message names data.csv and that line."""
    return Case(
        f"data-{n}-{text}", SCORE, ("data.csv", f"line {n}", *names), {"data.csv": line(n, text)}
    )


def index(
    id: str, old: str, new: str, key: str, *names: str, argv: tuple[str, ...] = SCORE
) -> Case:
    """The index file with ``old`` replaced by ``new``: the message names index.toml and ``key``."""
    return Case(id, argv, ("index.toml", f"key '{key}'", *names), {"index.toml": sub(old, new)})


def option(id: str, argv: tuple[str, ...], *extra: str, name: str | None = None) -> Case:
    """A command-line value: the message names the option."""
    flag = name or next(a for a in extra if a.startswith("--"))
    return Case(f"cli-{id}", argv + extra, (flag,))


BUDGET = 'name = "Alpha"\nweighting = { method = "budget", file = "weights.csv" }'


def weights(id: str, content: str | bytes, *names: str) -> Case:
    """Node alpha weighted from weights.csv holding ``content``: the message names weights.csv."""
    return Case(
        f"weights-{id}",
        SCORE,
        ("weights.csv", *names),
        {"index.toml": sub('name = "Alpha"', BUDGET), "weights.csv": content},
    )


def scenario(id: str, content: Edit, *names: str) -> Case:
    return Case(f"scenario-{id}", SCEN, ("scenario.toml", *names), {"scenario.toml": content})


UNC_DATA = 'standard_errors = { a = "a_se" }'

CASES: list[Case] = [
    # -- data files: every line problem names data.csv and the line ------------------------
    data(2, "ARM,2020,a,abc,pct,S", "'abc'"),
    data(2, "ARM,2020,a,1e400,pct,S", "'1e400'"),
    data(2, "ARM,2020,a,inf,pct,S", "'inf'"),
    data(2, "ARM,2020,a,-inf,pct,S", "'-inf'"),
    data(2, "ARM,2020,a,1_000,pct,S", "'1_000'"),
    data(2, "ARM,2020,a,1\u200b0,pct,S", "'1\\u200b0'"),
    data(2, "ARM,2020,a,1\u00a0000,pct,S", "'1\\xa0000'"),
    data(2, "ARM,2020,a,1\ufeff0,pct,S", "'1\\ufeff0'"),
    data(2, "ARM,2020,a,10%,pct,S", "'10%'"),
    data(2, 'ARM,2020,a,"1,5",pct,S', "'1,5'"),
    data(2, "ARM,2020,a,true,pct,S", "'true'"),
    data(2, "ARM,2020,a,0x10,pct,S", "'0x10'"),
    data(2, "XYZ,2020,a,10,pct,S", "'XYZ'"),
    data(2, "ARMENIA,2020,a,10,pct,S", "alpha-3"),
    data(2, ",2020,a,10,pct,S", "country is empty"),
    data(2, "XKX,2020,a,10,pct,S", "--extra-country"),
    data(2, "ARM,twenty,a,10,pct,S", "'twenty'"),
    data(2, "ARM,2020.5,a,10,pct,S", "'2020.5'"),
    data(2, "ARM,20200,a,10,pct,S", "20200"),
    data(2, "ARM,,a,10,pct,S", "year"),
    data(2, "ARM,2020,,10,pct,S", "variable is empty"),
    data(3, "ARM,2020,a,12,pct,S", "repeated", "line 2"),
    data(3, "ARM,2021,a,12,kg,S", "unit", "'kg'"),
    data(2, "ARM,2020,a,10", "fields"),
    data(2, "ARM,2020,a,10,pct,S,extra", "fields"),
    data(4, 'AZE,2020,a,40,pct,"S', "never closes"),
    data(2, 'ARM,2020,a,"10"x,pct,S', "malformed CSV"),
    data(1, "country,year,variable,value,unit,source,source", "twice"),
    data(1, "country,year,variable,value,colour,source", "'colour'"),
    data(1, "nation,year,variable,value,unit,source", "'country'"),
    data(1, "country,variable,value,unit,source", "'year'"),
    data(1, "country,year,variable,unit,source", "'value'"),
    data(1, "country;year;variable;value;unit;source", "semicolons"),
    data(1, "country\tyear\tvariable\tvalue\tunit\tsource", "tabs"),
    data(1, "country|year|variable|value|unit|source", "vertical bars"),
    Case(
        "data-semicolon-file",
        SCORE,
        ("data.csv", "line 1", "semicolons"),
        {"data.csv": lambda t: t.replace(",", ";").replace(".", ",")},
    ),
    Case(
        "data-latin1",
        SCORE,
        ("data.csv", "line 2", "CSV UTF-8", "0xe9"),
        {"data.csv": lambda t: t.replace("S\n", "Erevan \u00e9t\u00e9\n", 1).encode("latin-1")},
    ),
    Case(
        "data-utf16",
        SCORE,
        ("data.csv", "line 1", "CSV UTF-8"),
        {"data.csv": lambda t: t.encode("utf-16")},
    ),
    Case(
        "data-nul", SCORE, ("data.csv", "line 2"), {"data.csv": line(2, "ARM,2020,a,1\x000,pct,S")}
    ),
    Case("data-empty", SCORE, ("data.csv", "empty"), {"data.csv": ""}),
    Case(
        "data-header-only",
        SCORE,
        ("data.csv", "no data rows"),
        {"data.csv": "country,year,variable,value\n"},
    ),
    Case("data-blank-lines", SCORE, ("data.csv", "empty"), {"data.csv": "\n\n\n"}),
    Case(
        "data-missing",
        ("score", "index.toml", "--data", "nowhere.csv"),
        ("nowhere.csv", "not found"),
    ),
    Case("data-directory", ("score", "index.toml", "--data", "."), ("directory",)),
    Case(
        "data-wide-text-column",
        SCORE,
        ("data.csv", "line 2", "'Yerevan'"),
        {"data.csv": "country,year,capital,a\nARM,2020,Yerevan,1\n"},
    ),
    Case(
        "data-skip-unknown",
        (*SCORE, "--skip-column", "colour"),
        ("data.csv", "line 1", "colour"),
    ),
    Case(
        "data-variable-missing",
        SCORE,
        ("'c'",),
        {"data.csv": lambda t: "\n".join(r for r in t.split("\n") if ",c," not in r)},
    ),
    Case(
        "data-extra-country-bad", (*SCORE, "--extra-country", "XKX"), ("--extra-country", "'XKX'")
    ),
    # -- index files: every problem names index.toml and the key -----------------------------
    index(
        "index-unknown-key",
        'code = "corpus"',
        'code = "corpus"\ncolour = "red"',
        "index.colour",
        "unknown key",
    ),
    index("index-name-missing", 'name = "Corpus Index"\n', "", "index.name", "required"),
    index(
        "index-children-missing",
        "children = { alpha = 1, beta = 1 }\n",
        "",
        "index.children",
        "required",
    ),
    index(
        "index-children-empty-list",
        'children = ["c"]',
        "children = []",
        "node.beta.children",
        "at least one",
    ),
    index(
        "index-children-empty-table",
        'children = ["c"]',
        "children = {}",
        "node.beta.children",
        "at least one",
    ),
    index(
        "index-children-text",
        'children = ["c"]',
        'children = "c"',
        "node.beta.children",
        "list of codes",
    ),
    index(
        "index-weight-negative",
        "alpha = 1, beta = 1",
        "alpha = 1, beta = -1",
        "index.children",
        "negative",
    ),
    index(
        "index-weight-zero", "alpha = 1, beta = 1", "alpha = 0, beta = 0", "index.children", "zero"
    ),
    index(
        "index-weight-text",
        "alpha = 1, beta = 1",
        'alpha = "1", beta = 1',
        "index.children",
        "numeric",
    ),
    index(
        "index-weight-inf",
        "alpha = 1, beta = 1",
        "alpha = inf, beta = 1",
        "index.children.alpha",
        "'inf'",
    ),
    index(
        "index-weight-nan",
        "alpha = 1, beta = 1",
        "alpha = nan, beta = 1",
        "index.children.alpha",
        "'nan'",
    ),
    index(
        "index-weight-huge",
        "alpha = 1, beta = 1",
        "alpha = 1e400, beta = 1",
        "index.children.alpha",
        "'1e400'",
    ),
    index(
        "index-child-undefined",
        'children = ["c"]',
        'children = ["c", "zz"]',
        "node.beta.children",
        "'zz'",
    ),
    index(
        "index-child-bad-code",
        'children = ["c"]',
        'children = ["c d"]',
        "node.beta.children",
        "'c d'",
    ),
    index(
        "index-child-twice",
        'children = ["c"]',
        'children = ["c", "c"]',
        "node.beta.children",
        "twice",
    ),
    index(
        "index-cycle",
        'children = ["c"]',
        'children = ["c", "alpha"]',
        "node.beta.children",
        "twice",
    ),
    index(
        "index-self-cycle",
        'children = ["c"]',
        'children = ["c", "beta"]',
        "node.beta.children",
        "cycle",
    ),
    index(
        "index-root-cycle",
        'children = ["c"]',
        'children = ["c", "corpus"]',
        "node.beta.children",
        "cycle",
    ),
    index("index-code-bad", 'code = "corpus"', 'code = "my index!"', "index.code", "'my index!'"),
    index("index-code-node", 'code = "corpus"', 'code = "alpha"', "index.code", "also a node"),
    index(
        "index-scale-reversed",
        'code = "corpus"',
        'code = "corpus"\nscale = [100, 0]',
        "index.scale",
        "low < high",
    ),
    index(
        "index-scale-one",
        'code = "corpus"',
        'code = "corpus"\nscale = [100]',
        "index.scale",
        "[low, high]",
    ),
    index(
        "index-scale-inf",
        'code = "corpus"',
        'code = "corpus"\nscale = [0, inf]',
        "index.scale.1",
        "'inf'",
    ),
    index(
        "index-aggregation-unknown",
        'aggregation = "arithmetic"',
        'aggregation = "averagest"',
        "index.aggregation",
        "'averagest'",
    ),
    index(
        "index-aggregation-number",
        'aggregation = "arithmetic"',
        "aggregation = 3",
        "index.aggregation",
        "got 3",
    ),
    index(
        "index-power-p-inf",
        'aggregation = "arithmetic"',
        'aggregation = { method = "power_mean", p = inf }',
        "index.aggregation.p",
        "'inf'",
    ),
    index(
        "index-power-p-text",
        'aggregation = "arithmetic"',
        'aggregation = { method = "power_mean", p = "2" }',
        "index.aggregation.p",
        "'2'",
    ),
    index(
        "index-aggregation-param-unknown",
        'aggregation = "arithmetic"',
        'aggregation = { method = "arithmetic", q = 1 }',
        "index.aggregation.q",
        "unknown parameter",
    ),
    index(
        "index-min-coverage-big",
        'name = "Alpha"',
        'name = "Alpha"\nmin_coverage = 1.5',
        "node.alpha.min_coverage",
        "at most 1",
    ),
    index(
        "index-min-coverage-nan",
        'name = "Alpha"',
        'name = "Alpha"\nmin_coverage = nan',
        "node.alpha.min_coverage",
        "'nan'",
    ),
    index(
        "index-min-coverage-text",
        'name = "Alpha"',
        'name = "Alpha"\nmin_coverage = "half"',
        "node.alpha.min_coverage",
        "'half'",
    ),
    index(
        "index-round-big",
        'name = "Alpha"',
        'name = "Alpha"\nround = 99',
        "node.alpha.round",
        "at most 15",
    ),
    index(
        "index-round-float",
        'name = "Alpha"',
        'name = "Alpha"\nround = 1.5',
        "node.alpha.round",
        "whole number",
    ),
    index(
        "index-node-not-table",
        "[node.beta]\n",
        '[node]\nbeta2 = "x"\n[node.beta]\n',
        "node.beta2",
        "expected a table",
    ),
    index(
        "index-index-not-table", "[index]\n", 'index = "x"\n[index0]\n', "index", "expected a table"
    ),
    index(
        "index-node-and-indicator",
        "[indicator.c]",
        "[indicator.beta]\n[indicator.c]",
        "indicator.beta",
        "[node.beta]",
    ),
    index(
        "index-direction-missing",
        '[indicator.b]\ndirection = "lower_is_riskier"\n',
        "[indicator.b]\n",
        "indicator.b.direction",
        "must be given",
    ),
    index(
        "index-direction-bad",
        'direction = "lower_is_riskier"',
        'direction = "down"',
        "indicator.b.direction",
        "'down'",
    ),
    index(
        "index-goalpost-upper-inf",
        "upper = 100",
        "upper = inf",
        "indicator.a.normalize.upper",
        "'inf'",
    ),
    index(
        "index-goalpost-lower-nan",
        "lower = 0,",
        "lower = nan,",
        "indicator.a.normalize.lower",
        "'nan'",
    ),
    index(
        "index-goalpost-upper-huge",
        "upper = 100",
        "upper = 1e400",
        "indicator.a.normalize.upper",
        "'1e400'",
    ),
    index(
        "index-goalpost-minus-inf",
        "lower = 0,",
        "lower = -inf,",
        "indicator.a.normalize.lower",
        "'-inf'",
    ),
    index(
        "index-goalpost-reversed",
        "lower = 0, upper = 100",
        "lower = 100, upper = 0",
        "indicator.a.normalize",
        "below",
    ),
    index(
        "index-goalpost-missing",
        "lower = 0, upper = 100",
        "lower = 0",
        "indicator.a.normalize.upper",
        "missing",
    ),
    index(
        "index-goalpost-text",
        "upper = 100",
        'upper = "100"',
        "indicator.a.normalize.upper",
        "'100'",
    ),
    index(
        "index-goalpost-bool", "upper = 100", "upper = true", "indicator.a.normalize.upper", "true"
    ),
    index(
        "index-goalpost-transform",
        "upper = 100",
        'upper = 100, transform = "sqrt"',
        "indicator.a.normalize.transform",
        "'sqrt'",
    ),
    index(
        "index-normalize-unknown",
        'method = "goalpost"',
        'method = "sigmoid"',
        "indicator.a.normalize.method",
        "'sigmoid'",
    ),
    Case(
        "index-multiplier-overflow",
        SCORE,
        ("index.toml", "key 'indicator.c.multiplier'", "ARM, 2020", "beyond the range"),
        {
            "index.toml": sub("multiplier = 1.0", "multiplier = 1e300"),
            "data.csv": line(18, "ARM,2020,c,5e10,,S"),
        },
    ),
    Case(
        "index-denominator-overflow",
        SCORE,
        ("index.toml", "key 'indicator.c.denominator'", "beyond the range"),
        {
            "index.toml": sub("multiplier = 1.0", 'denominator = "a_se"'),
            "data.csv": lambda t: t.replace("ARM,2020,c,5,,S", "ARM,2020,c,1e300,,S").replace(
                "ARM,2020,a_se,1,,S", "ARM,2020,a_se,1e-300,,S"
            ),
        },
    ),
    index(
        "index-multiplier-inf",
        "multiplier = 1.0",
        "multiplier = inf",
        "indicator.c.multiplier",
        "'inf'",
    ),
    index(
        "index-multiplier-nan",
        "multiplier = 1.0",
        "multiplier = nan",
        "indicator.c.multiplier",
        "'nan'",
    ),
    index(
        "index-multiplier-text",
        "multiplier = 1.0",
        'multiplier = "x"',
        "indicator.c.multiplier",
        "'x'",
    ),
    index(
        "index-zscore-mean-nan",
        "[indicator.b]\n",
        '[indicator.b]\nnormalize = { method = "zscore", mean = nan }\n',
        "indicator.b.normalize.mean",
        "'nan'",
    ),
    index("index-band-from-nan", "from = 50", "from = nan", "bands.1.from", "'nan'"),
    index("index-band-from-minus-inf", "from = 0", "from = -inf", "bands.0.from", "'-inf'"),
    index("index-band-order", "from = 50", "from = -5", "bands", "ascending"),
    index("index-band-name-twice", 'name = "high"', 'name = "low"', "bands", "unique"),
    index("index-band-from-text", "from = 50", 'from = "50"', "bands.1.from", "'50'"),
    Case(
        "index-bands-not-list",
        SCORE,
        ("index.toml", "key 'bands'", "expected a list"),
        {"index.toml": lambda t: 'bands = "all"\n' + t[: t.index("[[bands]]")]},
    ),
    index(
        "index-defaults-unknown",
        "[indicator.a]",
        "[defaults]\ncolour = 1\n[indicator.a]",
        "defaults.colour",
        "unknown key",
    ),
    index(
        "index-impute-unknown",
        "[indicator.a]",
        '[defaults]\nimpute = "guess"\n[indicator.a]',
        "defaults.impute",
        "'guess'",
    ),
    index(
        "index-weighting-unknown",
        'name = "Alpha"',
        'name = "Alpha"\nweighting = "magic"',
        "node.alpha.weighting",
        "'magic'",
    ),
    index(
        "index-ahp-not-square",
        'name = "Alpha"',
        'name = "Alpha"\nweighting = { method = "ahp", matrix = [[1, 2]] }',
        "node.alpha.weighting.matrix",
        "square",
    ),
    index(
        "index-ahp-inf",
        'name = "Alpha"',
        'name = "Alpha"\nweighting = { method = "ahp", matrix = [[1, inf], [0, 1]] }',
        "node.alpha.weighting.matrix.0.1",
        "'inf'",
    ),
    index(
        "index-geometric-negative",
        "[indicator.c]\n",
        '[indicator.c]\nnormalize = "zscore"\n',
        "node.beta.aggregation",
        "a child is negative",
    ),
    Case(
        "index-invalid-toml",
        SCORE,
        ("index.toml", "invalid TOML", "line 1"),
        {"index.toml": "[index\n"},
    ),
    Case(
        "index-duplicate-key",
        SCORE,
        ("index.toml", "invalid TOML"),
        {"index.toml": append('\n[index]\nname = "Again"\n')},
    ),
    Case(
        "index-not-utf8",
        SCORE,
        ("index.toml", "line 2", "0xe9", "save it as UTF-8"),
        {"index.toml": b'[index]\nname = "Caf\xe9"\n'},
    ),
    Case("index-empty", SCORE, ("index.toml", "'index'", "required"), {"index.toml": ""}),
    Case(
        "index-missing",
        ("score", "nowhere.toml", "--data", "data.csv"),
        ("nowhere.toml", "not found"),
    ),
    Case("index-directory", ("score", ".", "--data", "data.csv"), ("directory",)),
    Case(
        "index-deep-arrays",
        SCORE,
        ("index.toml", "nested too deeply"),
        {"index.toml": append("\nx = " + "[" * 5000 + "]" * 5000 + "\n")},
    ),
    Case(
        "index-deep-inline-tables",
        SCORE,
        ("index.toml", "nested too deeply"),
        {"index.toml": append("\nx = " + "{ a = " * 5000 + "1" + " }" * 5000 + "\n")},
    ),
    Case(
        "index-deep-dotted-table",
        SCORE,
        ("index.toml", "unknown key"),
        {"index.toml": lambda t: "[" + ".".join(["a"] * 3000) + "]\n" + t},
    ),
    # -- the [uncertainty] table: every problem names the file and the key ------------------
    index(
        "unc-samples-small",
        "samples = 8",
        "samples = 3",
        "uncertainty.samples",
        "at least 8",
        argv=UNC,
    ),
    index(
        "unc-samples-text", "samples = 8", 'samples = "8"', "uncertainty.samples", "'8'", argv=UNC
    ),
    index(
        "unc-samples-float",
        "samples = 8",
        "samples = 8.5",
        "uncertainty.samples",
        "whole number",
        argv=UNC,
    ),
    index("unc-seed-negative", "seed = 1", "seed = -1", "uncertainty.seed", "at least 0", argv=UNC),
    index("unc-seed-inf", "seed = 1", "seed = inf", "uncertainty.seed", "'inf'", argv=UNC),
    index(
        "unc-relative-big",
        "relative = 0.2",
        "relative = 1.5",
        "uncertainty.weights.0.relative",
        "below 1",
        argv=UNC,
    ),
    index(
        "unc-relative-zero",
        "relative = 0.2",
        "relative = 0",
        "uncertainty.weights.0.relative",
        "above 0",
        argv=UNC,
    ),
    index(
        "unc-relative-inf",
        "relative = 0.2",
        "relative = inf",
        "uncertainty.weights.0.relative",
        "'inf'",
        argv=UNC,
    ),
    index(
        "unc-relative-missing",
        "relative = 0.2\n",
        "\n",
        "uncertainty.weights.0.relative",
        "required",
        argv=UNC,
    ),
    index(
        "unc-data-relative-nan",
        "relative = 0.05",
        "relative = nan",
        "uncertainty.data.relative",
        "'nan'",
        argv=UNC,
    ),
    index(
        "unc-data-relative-text",
        "relative = 0.05",
        'relative = "5%"',
        "uncertainty.data.relative",
        "'5%'",
        argv=UNC,
    ),
    index(
        "unc-unknown-key",
        "seed = 1",
        "seed = 1\nruns = 5",
        "uncertainty.runs",
        "unknown key",
        argv=UNC,
    ),
    index(
        "unc-weights-unknown-node",
        "levels = [0]",
        'nodes = ["omega"]',
        "uncertainty.weights.0.nodes",
        "'omega'",
        argv=UNC,
    ),
    index(
        "unc-levels-text",
        "levels = [0]",
        'levels = ["top"]',
        "uncertainty.weights.0.levels",
        "'top'",
        argv=UNC,
    ),
    index(
        "unc-se-unknown",
        UNC_DATA,
        'standard_errors = { a = "a_sd" }',
        "uncertainty.data.standard_errors.a",
        "'a_sd'",
        argv=UNC,
    ),
    index(
        "unc-se-variable-unknown",
        UNC_DATA,
        'standard_errors = { zz = "a_se" }',
        "uncertainty.data.standard_errors.zz",
        "'zz'",
        argv=UNC,
    ),
    index(
        "unc-range-low-unknown",
        UNC_DATA,
        'ranges = { a = ["a_lo", "a_se"] }',
        "uncertainty.data.ranges.a",
        "'a_lo'",
        argv=UNC,
    ),
    index(
        "unc-range-high-unknown",
        UNC_DATA,
        'ranges = { a = ["a_se", "a_hi"] }',
        "uncertainty.data.ranges.a",
        "'a_hi'",
        argv=UNC,
    ),
    index(
        "unc-range-one",
        UNC_DATA,
        'ranges = { a = ["a_se"] }',
        "uncertainty.data.ranges.a.1",
        "item 2",
        argv=UNC,
    ),
    index(
        "unc-se-not-text",
        UNC_DATA,
        "standard_errors = { a = 1 }",
        "uncertainty.data.standard_errors.a",
        "text",
        argv=UNC,
    ),
    index(
        "unc-alternatives-empty",
        "[uncertainty.data]",
        "[uncertainty.normalize]\nalternatives = []\n[uncertainty.data]",
        "uncertainty.normalize.alternatives",
        "at least 1 item",
        argv=UNC,
    ),
    index(
        "unc-alternatives-unknown",
        "[uncertainty.data]",
        '[uncertainty.normalize]\nalternatives = ["minmax", "sigmoid"]\n[uncertainty.data]',
        "uncertainty.normalize.alternatives.1",
        "'sigmoid'",
        argv=UNC,
    ),
    index(
        "unc-alternatives-param-nan",
        "[uncertainty.data]",
        '[uncertainty.normalize]\nalternatives = [{ method = "zscore", sd = nan }]\n'
        "[uncertainty.data]",
        "uncertainty.normalize.alternatives.0.sd",
        "'nan'",
        argv=UNC,
    ),
    index(
        "unc-aggregation-node-unknown",
        "[uncertainty.data]",
        '[uncertainty.aggregation]\nalternatives = ["arithmetic"]\nnodes = ["omega"]\n'
        "[uncertainty.data]",
        "uncertainty.aggregation.nodes",
        "'omega'",
        argv=UNC,
    ),
    index(
        "unc-outliers-reversed",
        "[uncertainty.data]",
        "[uncertainty.outliers]\nmax_points = [5, 1]\n[uncertainty.data]",
        "uncertainty.outliers.max_points",
        "low <= high",
        argv=UNC,
    ),
    index(
        "unc-exclusion-unknown",
        "[uncertainty.data]",
        '[uncertainty.exclusion]\ncandidates = ["omega"]\n[uncertainty.data]',
        "uncertainty.exclusion.candidates",
        "'omega'",
        argv=UNC,
    ),
    index(
        "unc-se-missing-sensitivity",
        UNC_DATA,
        'standard_errors = { a = "a_sd" }',
        "uncertainty.data.standard_errors.a",
        "'a_sd'",
        argv=SENS,
    ),
    Case(
        "unc-no-table",
        (*UNC, "--assumptions", "scenario.toml"),
        ("scenario.toml", "key 'uncertainty.scenario'", "unknown key"),
    ),
    Case(
        "unc-assumptions-missing",
        (*UNC, "--assumptions", "nowhere.toml"),
        ("nowhere.toml", "not found"),
    ),
    Case(
        "unc-nothing-uncertain",
        UNC,
        ("index.toml", "key 'uncertainty'", "no uncertain"),
        {"index.toml": lambda t: t[: t.index("[[uncertainty.weights]]")]},
    ),
    # -- scenario files ----------------------------------------------------------------------
    scenario(
        "multiply-inf",
        sub("multiply = 2", "multiply = inf"),
        "'scenario.shock.0.multiply'",
        "'inf'",
    ),
    scenario(
        "multiply-nan",
        sub("multiply = 2", "multiply = nan"),
        "'scenario.shock.0.multiply'",
        "'nan'",
    ),
    scenario(
        "multiply-huge",
        sub("multiply = 2", "multiply = 1e999"),
        "'scenario.shock.0.multiply'",
        "'1e999'",
    ),
    scenario(
        "multiply-text", sub("multiply = 2", 'multiply = "2"'), "'scenario.shock.0.multiply'", "'2'"
    ),
    scenario(
        "percent-nan", sub("multiply = 2", "percent = nan"), "'scenario.shock.0.percent'", "'nan'"
    ),
    scenario(
        "add-minus-inf", sub("multiply = 2", "add = -inf"), "'scenario.shock.0.add'", "'-inf'"
    ),
    scenario("no-table", '[shock]\nvariable = "a"\n', "'scenario'"),
    scenario("no-shock", '[scenario]\nname = "x"\n', "'scenario.shock'", "required"),
    scenario("shock-empty", "[scenario]\nshock = []\n", "'scenario.shock'", "at least 1"),
    scenario(
        "unknown-key",
        sub("multiply = 2", "multiply = 2\nstrength = 3"),
        "'scenario.shock.0.strength'",
        "unknown key",
    ),
    scenario("unknown-variable", sub('variable = "a"', 'variable = "zz"'), "'zz'"),
    scenario("unknown-country", sub('countries = ["KAZ"]', 'countries = ["ATL"]'), "'ATL'"),
    scenario(
        "countries-text",
        sub('countries = ["KAZ"]', 'countries = "KAZ"'),
        "'scenario.shock.0.countries'",
    ),
    scenario("invalid-toml", "[scenario\n", "invalid TOML"),
    Case(
        "scenario-missing", (*SCEN[:4], "--scenario", "nowhere.toml"), ("nowhere.toml", "not found")
    ),
    # -- weights (budget) files: the message names weights.csv and its line -----------------
    weights("short-row", "code,points\na,60\nb\n", "line 3", "fields"),
    weights("long-row", "code,points\na,60,7\nb,40\n", "line 2", "fields"),
    weights("repeated-code", "code,points\na,60\nb,40\na,10\n", "line 4", "repeated", "line 2"),
    weights("text", "code,points\na,sixty\nb,40\n", "line 2", "'sixty'"),
    weights("nan", "code,points\na,nan\nb,40\n", "line 2", "'nan'"),
    weights("inf", "code,points\na,inf\nb,40\n", "line 2", "'inf'"),
    weights("huge", "code,points\na,1e400\nb,40\n", "line 2", "'1e400'"),
    weights("negative", "code,points\na,-5\nb,40\n", "line 2", "'-5'"),
    weights("empty-value", "code,points\na,\nb,40\n", "line 2", "''"),
    weights("empty-code", "code,points\n,60\nb,40\n", "line 2", "code is empty"),
    weights("comment-lines", "# experts' points\ncode,points\n\na,60\nb,x\n", "line 5", "'x'"),
    weights("unclosed-quote", 'code,points\na,"60\nb,40\n', "line 2", "never closes"),
    weights("missing-column", "code,weight\na,60\nb,40\n", "line 1", "'points'"),
    weights("missing-child", "code,points\na,60\n", "'b'"),
    weights("all-zero", "code,points\na,0\nb,0\n", "zero"),
    weights("empty-file", "", "empty"),
    weights("header-only", "code,points\n", "'a'"),
    weights("not-utf8", b"code,points\na,60\nb\xe9,40\n", "line 3", "CSV UTF-8"),
    weights("semicolons", "code;points\na;60\nb;40\n", "line 1", "'points'"),
    Case(
        "weights-missing-file",
        SCORE,
        ("nowhere.csv", "not found"),
        {"index.toml": sub('name = "Alpha"', BUDGET.replace("weights.csv", "nowhere.csv"))},
    ),
    # -- command-line values: the message names the option and the range ---------------------
    option("samples-0", UNC, "--samples", "0"),
    option("samples-negative", UNC, "--samples", "-1"),
    option("samples-below-file-minimum", UNC, "--samples", "3"),
    option("samples-text", UNC, "--samples", "many"),
    option("samples-float", UNC, "--samples", "8.5"),
    option("sensitivity-samples-3", SENS, "--samples", "3"),
    option("report-samples-0", REPORT, "--samples", "0"),
    option("seed-negative", UNC, "--seed", "-1"),
    option("seed-text", UNC, "--seed", "lucky"),
    option("sensitivity-seed-negative", SENS, "--seed", "-7"),
    option("chunk-0", UNC, "--chunk", "0"),
    option("chunk-negative", UNC, "--chunk", "-3"),
    option("workers-0", UNC, "--workers", "0"),
    option("workers-negative", UNC, "--workers", "-2"),
    option("workers-huge", SENS, "--workers", "100000"),
    option("year-negative", SCORE, "--year", "-5"),
    option("year-zero", UNC, "--year", "0"),
    option("year-text", SCORE, "--year", "latest"),
    option("year-huge", AUDIT, "--year", "99999"),
    option("trend-from-negative", TREND, "--from", "-1"),
    option("trend-to-text", TREND, "--to", "end"),
    option("collinear-big", AUDIT, "--collinear", "2"),
    option("collinear-nan", AUDIT, "--collinear", "nan"),
    option("negative-inf", AUDIT, "--negative", "-inf"),
    option("format-unknown", SCORE, "--format", "xml"),
    option("unknown-option", SCORE, "--colour", "red"),
    Case("cli-data-missing-option", ("score", "index.toml"), ("--data",)),
    Case("cli-year-not-in-data", (*SCORE, "--year", "1999"), ("data.csv", "1999")),
    Case("cli-trend-year-not-in-data", (*TREND, "--from", "1999"), ("data.csv", "1999")),
    Case("cli-report-without-output", REPORT, ("--output",), output=False),
    # -- --output: never over an input, never half-written ------------------------------------
    Case(
        "output-is-data", (*SCORE, "--output", "data.csv"), ("--output", "data.csv"), output=False
    ),
    Case(
        "output-is-index",
        (*SCORE, "--output", "index.toml"),
        ("--output", "index.toml"),
        output=False,
    ),
    Case(
        "output-is-index-by-other-name",
        (*SCORE, "--output", "./sub/../index.toml"),
        ("--output", "index.toml"),
        {"sub/keep": ""},
        output=False,
    ),
    Case(
        "output-is-assumptions",
        (*UNC, "--assumptions", "scenario.toml", "--output", "scenario.toml"),
        ("--output", "scenario.toml"),
        output=False,
    ),
    Case(
        "output-is-scenario",
        (*SCEN, "--output", "scenario.toml"),
        ("--output", "scenario.toml"),
        output=False,
    ),
    Case(
        "output-is-weights",
        (*SCORE, "--output", "weights.csv"),
        ("--output", "weights.csv", "weights file"),
        {"index.toml": sub('name = "Alpha"', BUDGET)},
        output=False,
    ),
    Case(
        "output-is-weights-uncertainty",
        (*UNC, "--output", "weights.csv"),
        ("--output", "weights.csv", "weights file"),
        {"index.toml": sub('name = "Alpha"', BUDGET)},
        output=False,
    ),
    Case("output-is-folder", (*SCORE, "--output", "."), ("--output", "folder"), output=False),
    Case(
        "output-folder-missing",
        (*SCORE, "--output", "nowhere/out.txt"),
        ("nowhere/out.txt",),
        output=False,
    ),
]


# -- plugin faults: exit 1, the message names the method (or indicator) and its plugin ------------
FAULTS = {
    "raises": "ZeroDivisionError",
    "shape": "shape",
    "text": "not numbers",
    "complex": "complex",
    "inf": "infinite",
    "nan": "NaN",
}
PLUGIN = ("plugin fault", "plugin 'corpus_faults'", "riskcore-corpus-faults")
METHODS = {
    # kind in the message, the method's prefix, where the index selects it
    "normalization method": ("norm", "[indicator.b]\n", '[indicator.b]\nnormalize = "{}"\n'),
    "aggregation method": ("agg", 'name = "Alpha"', 'name = "Alpha"\naggregation = "{}"'),
    "imputation method": (
        "impute",
        "[indicator.a]\n",
        '[defaults]\nimpute = "{}"\n[indicator.a]\n',
    ),
    "outlier treatment": ("treat", "[indicator.a]\n", '[indicator.a]\noutliers = "{}"\n'),
    "weighting method": ("weight", 'name = "Alpha"', 'name = "Alpha"\nweighting = "{}"'),
}


def fault(kind: str, how: str, words: str) -> Case:
    prefix, old, new = METHODS[kind]
    name = f"{prefix}_{how}"
    return Case(
        f"plugin-{name}",
        SCORE,
        (*PLUGIN, f"{kind} '{name}'", words),
        {"index.toml": sub(old, new.format(name))},
        code=1,
        plugins=("corpus_faults",),
    )


CASES += [fault(kind, how, words) for kind in METHODS for how, words in FAULTS.items()]
CASES += [
    fault("outlier treatment", "pair", "(values, report dict)"),
    fault("weighting method", "negative", "negative weights"),
]
CASES += [
    Case(
        f"plugin-ind_{how}",
        SCORE,
        ("plugin fault", f"indicator 'ind_{how}' (plugin 'corpus_faults')", words),
        {"index.toml": sub('children = ["c"]', f'children = ["ind_{how}"]')},
        code=1,
        plugins=("corpus_faults",),
    )
    for how, words in (("raises", "ZeroDivisionError"), ("shape", "shape"), ("text", "not numbers"))
]


# -- more misuses of the command line and of files given in the wrong place -----------------------
CASES += [
    Case(
        "cli-extra-country-empty-code", (*SCORE, "--extra-country", "=Kosovo"), ("--extra-country",)
    ),
    Case("cli-correlation-unknown", (*AUDIT, "--correlation", "kendall"), ("--correlation",)),
    Case(
        "cli-schema-output-folder",
        ("schema", "--output", "."),
        ("--output", "folder"),
        output=False,
    ),
    Case(
        "cli-report-output-is-data",
        (*REPORT, "--output", "data.csv"),
        ("--output", "data.csv"),
        output=False,
    ),
    Case(
        "cli-assumptions-is-csv", (*UNC, "--assumptions", "data.csv"), ("data.csv", "invalid TOML")
    ),
    Case(
        "cli-scenario-is-csv", (*SCEN[:4], "--scenario", "data.csv"), ("data.csv", "invalid TOML")
    ),
    Case(
        "cli-index-is-csv",
        ("score", "data.csv", "--data", "data.csv"),
        ("data.csv", "invalid TOML"),
    ),
    Case(
        "cli-data-is-toml",
        ("score", "index.toml", "--data", "index.toml"),
        ("index.toml", "line 1"),
    ),
    index(
        "index-weight-bool",
        "alpha = 1, beta = 1",
        "alpha = true, beta = 1",
        "index.children",
        "numeric",
    ),
    index(
        "index-geometric-param-unknown",
        'aggregation = "geometric"',
        'aggregation = { method = "geometric", p = 2 }',
        "node.beta.aggregation.p",
        "unknown parameter",
    ),
    scenario("year-not-in-data", sub("multiply = 2", "multiply = 2\nyears = [1999]"), "1999"),
]

CASES += [
    data(2, "ARM\u200b,2020,a,10,pct,S", "'ARM\\u200b'"),
    data(2, "ARM,2020,a\u200b,10,pct,S", "'a\\u200b'", "invisible"),
    data(2, "ARM,2020,gdp\u00a0usd,10,pct,S", "'gdp\\xa0usd'", "invisible"),
    Case(
        "data-wide-header-invisible",
        SCORE,
        ("data.csv", "line 2", "'b\\u200e'", "invisible"),
        {"data.csv": "country,year,a,b\u200e,c\nARM,2020,1,2,3\n"},
    ),
    data(2, "ARM,2020,a," + "9" * 200_000 + ",pct,S", "field larger than field limit"),
]

# -- the interval options of the commands that show intervals --------------------------------
CASES += [
    option("draws-0", SCORE, "--draws", "0"),
    option("draws-1", SCORE, "--draws", "1"),
    option("draws-negative", SCORE, "--draws", "-5"),
    option("draws-text", SCORE, "--draws", "many"),
    option("draws-float", TREND, "--draws", "100.5"),
    option("level-0", SCORE, "--level", "0"),
    option("level-1", SCORE, "--level", "1"),
    option("level-above-1", SCORE, "--level", "1.5"),
    option("level-nan", SCORE, "--level", "nan"),
    option("level-negative", TREND, "--level", "-0.1"),
    option("level-percent", REPORT, "--level", "90"),
    option("score-seed-negative", SCORE, "--seed", "-3"),
]
