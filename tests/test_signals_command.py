"""`python -m dashboard signals`: the spec §6 JSON object exactly, the table, and bad dates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.cli import main
from tests.test_signals_support import load_clinic

SIGNAL_KEYS = {"id", "kind", "level", "term", "injector", "area", "product", "lot", "factor", "window_start",
               "window_end", "observed", "expected", "treatments", "rate_ratio", "p_value", "q_value", "method",
               "summary"}
KINDS = {"dosing", "placement", "product_lot", "time_cluster", "patient_factor"}


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = Path(tmp_path_factory.mktemp("cli")) / "clinic.duckdb"
    load_clinic(path, 8000, 1)
    return path


def test_json_follows_spec_section_6(clinic: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["signals", "--db", str(clinic)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"format", "generated_at", "from", "to", "signals"}
    assert out["format"] == "injectwatch-signals/1"
    assert out["from"] <= out["to"]
    assert out["signals"], "the demo clinic has planted problems"
    levels = [s["level"] for s in out["signals"]]
    assert levels == sorted(levels), "act (a) before watch (w)"
    for s in out["signals"]:
        assert SIGNAL_KEYS <= set(s)
        assert s["kind"] in KINDS and s["level"] in {"watch", "act"}
        assert isinstance(s["observed"], int) and isinstance(s["treatments"], int)
        assert s["expected"] > 0 and abs(s["rate_ratio"] - s["observed"] / s["expected"]) < 0.01 * s["rate_ratio"]
        assert s["summary"].endswith(".") and len(s["summary"]) < 400
        assert s["id"].startswith("sig-")
    assert len({s["id"] for s in out["signals"]}) == len(out["signals"])


def test_same_data_same_json_apart_from_the_clock(clinic: Path, capsys: pytest.CaptureFixture[str]):
    main(["signals", "--db", str(clinic)])
    a = json.loads(capsys.readouterr().out)
    main(["signals", "--db", str(clinic)])
    b = json.loads(capsys.readouterr().out)
    a.pop("generated_at"), b.pop("generated_at")
    assert a == b


def test_period_limits_the_data(clinic: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["signals", "--db", str(clinic), "--from", "2026-01-01", "--to", "2026-06-30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["from"], out["to"]) == ("2026-01-01", "2026-06-30")
    for s in out["signals"]:
        if s["window_start"]:
            assert s["window_end"] >= "2026-01-01" and s["window_start"] <= "2026-06-30"


def test_table_format_is_readable(clinic: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["signals", "--db", str(clinic), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[2].split()[:3] == ["level", "kind", "term"]
    assert "1. [act]" in out


@pytest.mark.parametrize("argv", [["--from", "2026-13-01"], ["--from", "2026-05-01", "--to", "2026-01-01"]])
def test_bad_dates_exit_2(clinic: Path, argv: list[str], capsys: pytest.CaptureFixture[str]):
    assert main(["signals", "--db", str(clinic), *argv]) == 2
    assert "error" in capsys.readouterr().err


def test_empty_database_prints_no_signals(db_file: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["signals", "--db", str(db_file)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["signals"] == [] and out["from"] is None
