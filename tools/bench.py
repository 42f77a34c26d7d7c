"""`python -m dashboard bench --treatments N`: time the product at clinic-chain scale and print one JSON object.

Shape (read by other tools; keep it stable):
{"treatments": N, "timings": {NAME: {"median_s": x, "max_s": y}}, "peak_rss_mb": z, "pandas_ratio": r}
NAME covers at least import, trends_default, trends_filtered, signals and export; extra names
(generate, trends_refresh, import_unchanged, trends_pandas, trends_query:<name>) give the detail behind them.
`import` is the file import of `python -m dashboard import` (trends_refresh, run after it, is timed on its own);
generating the data set and the pandas reference run in child processes, so peak_rss_mb is the product's own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dashboard.core.db import Database, open_database
from tools.benchjobs import BENCH, peak_rss_mb, run_child, timing

REQUIRED = ("import", "trends_default", "trends_filtered", "signals", "export")


def _timed(fn: Callable[[], Any], runs: int, warmup: bool = True) -> tuple[dict[str, float], Any]:
    """Run fn (once to warm up, then `runs` times); return median/max seconds and the last result."""
    result = fn() if warmup else None
    times = []
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return {"median_s": round(statistics.median(times), 4), "max_s": round(max(times), 4)}, result


def _narrow_filters(db: Database, filters: Any) -> Any:
    """A narrow view: the busiest injector, their main product, glabella, the last 90 days."""
    from dataclasses import replace

    row = db.rows(
        "SELECT t.injector_id, t.product, count(*) AS n FROM treatments t "
        "GROUP BY ALL ORDER BY n DESC, t.injector_id LIMIT 1")[0]
    end = filters.end
    return replace(filters, injector=int(row[0]), product=str(row[1]), area="glabella",
                   start=end - timedelta(days=89), end=end)


def _last_full_quarter(db: Database) -> Any:
    from dashboard.export.quarter import Quarter

    last: date = db.scalar("SELECT CAST(max(treated_at) AS DATE) FROM treatments")
    q = (last.month - 1) // 3 + 1
    year, q = (last.year, q - 1) if q > 1 else (last.year - 1, 4)
    return Quarter(year, q)


def run_bench(treatments: int, runs: int = 5, workdir: Path | None = None, seed: int = 7,
              dataset: Path | None = None) -> dict[str, Any]:
    """Build a demo clinic of `treatments` in a temporary database and time every heavy path.

    The data set is written by a child process (or taken from `dataset`: at 10M treatments writing it takes
    ~10 min) and imported from its CSV files the way `python -m dashboard import` does; the pandas reference
    runs in another child. So peak_rss_mb is the product's own process.
    """
    from dashboard.export.bundle import write_bundle
    from dashboard.importer import import_path
    from dashboard.signals.detect import run_signals
    from dashboard.trends import refresh as trends_refresh
    from dashboard.trends.filters import Filters
    from dashboard.trends.queries import READERS, bounds, run_all

    timings: dict[str, dict[str, float]] = {}
    children: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="injectwatch-bench-", dir=workdir) as tmp:
        data, db_file = dataset or Path(tmp) / "dataset", Path(tmp) / "bench.duckdb"
        if dataset is None:
            job = run_child("dataset", str(data), str(treatments), str(seed))
            timings["generate"], children["generate"] = timing(job["seconds"]), job["peak_rss_mb"]
        db = open_database(db_file)
        try:
            timings["import"], result = _timed(lambda: import_path(db, BENCH, data), 1, warmup=False)
            if result.exit_code != 0:
                raise RuntimeError(f"benchmark import quarantined rows: {result.summary()}")
            treatments = int(db.scalar("SELECT count(*) FROM treatments"))
            timings["trends_refresh"], _ = _timed(lambda: trends_refresh.refresh(db, actor="bench"), 1, warmup=False)
            # each `python -m dashboard import` is a process of its own: so is the repeat here. The process that has
            # just imported 1M rows keeps part of that import's memory in DuckDB (the key indexes it built), and under
            # the default 1GB cap the repeat's comparison with the stored rows then ran out of memory.
            db.close()
            db = open_database(db_file)
            timings["import_unchanged"], again = _timed(lambda: import_path(db, BENCH, data), 1, warmup=False)
            if again.imported or again.quarantined:
                raise RuntimeError(f"re-importing the same data set changed something: {again.summary()}")

            default = Filters().resolved(bounds(db, BENCH)[1])
            narrow = _narrow_filters(db, default)
            timings["trends_default"], _ = _timed(lambda: run_all(db, BENCH, default), runs)
            timings["trends_filtered"], _ = _timed(lambda: run_all(db, BENCH, narrow), runs)
            for name, fn in READERS.items():
                timings[f"trends_query:{name}"], _ = _timed(lambda fn=fn: fn(db, BENCH, default), runs)
            timings["signals"], _ = _timed(lambda: run_signals(db), runs)
            quarter = _last_full_quarter(db)
            out = Path(tmp) / "export"
            out.mkdir()
            timings["export"], _ = _timed(lambda: write_bundle(db, BENCH, quarter, out), runs)
        finally:
            db.close()
        own_peak = peak_rss_mb()
        job = run_child("pandas", str(db_file), str(max(1, min(runs, 3))))
        timings["trends_pandas"], children["trends_pandas"] = timing(job["seconds"]), job["peak_rss_mb"]
    ratio = timings["trends_pandas"]["median_s"] / max(timings["trends_default"]["median_s"], 1e-9)
    print("bench: peak RSS of the child processes (not the product): "
          + ", ".join(f"{k} {v:,.0f} MB" for k, v in children.items()), file=sys.stderr)
    return {
        "treatments": treatments,
        "timings": timings,
        "peak_rss_mb": own_peak,
        "pandas_ratio": round(ratio, 1),
    }


def run(args: argparse.Namespace) -> int:
    """Run the benchmark and print its JSON object to stdout, a short summary to stderr."""
    if args.treatments < 100:
        print("error: --treatments must be at least 100", file=sys.stderr)
        return 2
    if args.dataset is not None and not args.dataset.is_dir():
        print(f"error: --dataset {args.dataset} is not a folder", file=sys.stderr)
        return 2
    report = run_bench(args.treatments, runs=args.runs, dataset=args.dataset)
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    t = report["timings"]
    print(
        f"{report['treatments']:,} treatments: import {t['import']['median_s']:.1f} s, trends {t['trends_default']['median_s']:.3f} s "
        f"(filtered {t['trends_filtered']['median_s']:.3f} s), signals {t['signals']['median_s']:.1f} s, "
        f"export {t['export']['median_s']:.2f} s, peak {report['peak_rss_mb']:.0f} MB, "
        f"pandas/DuckDB {report['pandas_ratio']:.0f}x",
        file=sys.stderr,
    )
    return 0
