"""The command line, run in-process through ``main`` and, once, as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from riskcore.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_prints_the_eight_countries_ranked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo")
    assert code == 0, err
    for iso in ("ARM", "AZE", "GEO", "KAZ", "KGZ", "TJK", "TKM", "UZB"):
        assert iso in out
    assert "Diaspora Instability Index" in out
    assert "Data:" in out and "inputs.csv" in out
    table = [line.split() for line in out.splitlines() if line[:4].strip().isdigit()]
    ranks = [int(row[0]) for row in table]
    assert ranks == sorted(ranks) and ranks[0] == 1
    scores = [float(row[3].rstrip("*")) for row in table]  # *: outside its own interval
    assert scores == sorted(scores, reverse=True)
    # every host is scored in 2023; before the exodus the index is not scored (the diaspora
    # dimension does not exist yet), never 0 for everyone by a definition
    assert len(table) == 8
    assert "every score is" not in out


def test_demo_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo", "--year", "2022", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["year"] == 2022
    assert set(doc["index"]) >= {"code", "name"}
    row = doc["results"][0]
    assert set(row) >= {"country", "name", "score", "rank", "coverage", "nodes", "indicators"}
    assert row["rank"] == 1
    assert set(row["indicators"]["diaspora_size"]) == {"raw", "normalized", "inputs"}
    sources = [i["source"] for i in row["indicators"]["diaspora_size"]["inputs"]]
    assert [i["variable"] for i in row["indicators"]["diaspora_size"]["inputs"]] == [
        "diaspora_stock",
        "population",
    ]
    assert all(sources)
    unranked = [r for r in doc["results"] if r["rank"] is None]
    assert all(r["score"] is None for r in unranked)
    assert doc["results"][-len(unranked) :] == unranked if unranked else True


def test_score_defaults_to_the_latest_year(
    capsys: pytest.CaptureFixture[str], post_soviet: Path
) -> None:
    code, out, _ = run(
        capsys,
        "score",
        str(post_soviet / "index.toml"),
        "--data",
        str(post_soviet / "inputs.csv"),
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["year"] == 2023


def test_score_csv_to_file(
    capsys: pytest.CaptureFixture[str], post_soviet: Path, tmp_path: Path
) -> None:
    target = tmp_path / "scores.csv"
    code, out, _ = run(
        capsys,
        "score",
        str(post_soviet / "index.toml"),
        "--data",
        str(post_soviet / "inputs.csv"),
        "--format",
        "csv",
        "--output",
        str(target),
    )
    assert code == 0 and out == ""
    lines = target.read_text().splitlines()
    assert lines[0].startswith("country,name,year,score,rank,coverage")
    assert len(lines) == 9


def test_year_not_in_data_is_exit_2(capsys: pytest.CaptureFixture[str], post_soviet: Path) -> None:
    code, out, err = run(capsys, "demo", "--year", "1990")
    assert code == 2 and out == ""
    assert "1990" in err and "inputs.csv" in err and "Traceback" not in err


def test_usage_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "score", "index.toml")
    assert code == 2
    assert "--data" in err


def test_missing_files_are_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "score", str(tmp_path / "nope.toml"), "--data", str(tmp_path / "nope.csv")
    )
    assert code == 2
    assert "nope.toml" in err and "Traceback" not in err


def test_plugins_json_lists_the_standard_plugins(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plugins", "--format", "json")
    assert code == 0
    listing = {p["name"]: p for p in json.loads(out)}
    for name in ("diaspora_size", "institutional_sophistication", "crackdown_propensity"):
        assert listing[name]["status"] == "loaded"
        assert listing[name]["indicators"] == [name]
        assert listing[name]["distribution"] == "riskcore"
        assert set(listing[name]) >= {"name", "version", "distribution", "status", "hooks"}
    assert listing["riskcore.normalize"]["status"] == "builtin"


def test_schema_command_matches_the_published_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    published = Path(__file__).resolve().parents[1] / "docs" / "index-schema.json"
    assert json.loads(out) == json.loads(published.read_text()), (
        "docs/index-schema.json is stale: riskcore schema -o docs/index-schema.json"
    )


def test_console_script_runs_in_a_subprocess() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "riskcore.cli", "demo", "--format", "csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 9


def test_cli_does_not_import_pandas() -> None:
    code = (
        "import sys; from riskcore.cli import main; main(['demo']); "
        "sys.exit(1 if 'pandas' in sys.modules else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert proc.returncode == 0
