"""The real-page timing script (python -m tests.page_timing) runs end to end and prints its JSON shape."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.browser


def test_page_timing_prints_every_figure(capsys) -> None:
    from tests import page_timing
    from tests.e2e_support import require_browser

    require_browser()
    assert page_timing.main(["--treatments", "1500", "--runs", "2"]) == 0, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    assert report["treatments"] == 1500
    assert set(report["timings"]) == {"trends_first_view", "trends_view", "filter_change"}
    for figures in report["timings"].values():
        assert 0 < figures["median_s"] <= figures["max_s"] < 120


def test_page_timing_refuses_a_missing_database(tmp_path, capsys) -> None:
    from tests import page_timing

    assert page_timing.main(["--db", str(tmp_path / "nope.duckdb")]) == 2
    assert "no database" in capsys.readouterr().err
