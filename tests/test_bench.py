"""The benchmark command at a small size: a smoke test of its stable JSON shape (figures live in the notes)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.e2e_support import ROOT
from tools.bench import REQUIRED


def test_bench_prints_one_json_object_with_the_stable_shape(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "bench", "--treatments", "2000", "--runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert set(report) == {"treatments", "timings", "peak_rss_mb", "pandas_ratio"}
    assert report["treatments"] == 2000
    for name in (*REQUIRED, "generate", "trends_refresh", "import_unchanged", "trends_pandas"):
        timing = report["timings"][name]
        assert set(timing) == {"median_s", "max_s"}
        assert 0 < timing["median_s"] <= timing["max_s"]
    for timing in report["timings"].values():
        assert 0 < timing["median_s"] <= timing["max_s"]
    assert report["peak_rss_mb"] > 50
    assert report["pandas_ratio"] > 0
    assert "2,000 treatments" in proc.stderr
    # the data set and the pandas reference are built in child processes, whose memory is reported apart
    assert "child processes (not the product): generate" in proc.stderr


def test_bench_children_report_their_own_time_and_memory(tmp_path):
    from tools.benchjobs import run_child

    job = run_child("dataset", str(tmp_path / "data"), "300", "3")
    assert {p.name for p in (tmp_path / "data").iterdir()} == {"treatments.csv", "injections.csv", "events.csv"}
    assert len(job["seconds"]) == 1 and job["seconds"][0] > 0
    assert job["peak_rss_mb"] > 20


def test_bench_refuses_a_meaningless_size():
    proc = subprocess.run([sys.executable, "-m", "dashboard", "bench", "--treatments", "5"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout == ""


def test_bench_times_an_existing_data_set_without_generating_it(tmp_path):
    from tools.benchjobs import run_child

    run_child("dataset", str(tmp_path / "data"), "600", "5")
    proc = subprocess.run(
        [sys.executable, "-m", "dashboard", "bench", "--dataset", str(tmp_path / "data"), "--runs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["treatments"] == 600  # counted from the data, not the --treatments default
    assert "generate" not in report["timings"]
    assert set(REQUIRED) <= set(report["timings"])
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["events.csv", "injections.csv", "treatments.csv"]


def test_bench_refuses_a_missing_data_set(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "dashboard", "bench", "--dataset", str(tmp_path / "nope")],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "is not a folder" in proc.stderr
