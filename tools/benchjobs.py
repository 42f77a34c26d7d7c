"""The benchmark's child processes, so their memory never counts as the product's peak RSS.

`python -m tools.benchjobs dataset OUT N SEED` writes the demo chain of N treatments as a spec data set (CSV);
`python -m tools.benchjobs pandas DB RUNS` times the naive pandas Trends reference on a built database.
Each prints one JSON line: {"seconds": [...], "peak_rss_mb": x}.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from dashboard.core.authz import system_user

# the `bench` command reads Trends and writes an export as a manager would (the only role that may do both)
BENCH = system_user("bench", "manager")


def peak_rss_mb() -> float:
    """Return this process's peak resident memory in MiB.

    Linux: VmHWM of /proc/self/status, because ru_maxrss of a child started by fork+exec also counts the
    parent's size at the fork. Elsewhere ru_maxrss (macOS reports bytes)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def write_demo_dataset(out: Path, treatments: int, seed: int) -> list[float]:
    """Generate the demo chain and write treatments/injections/events.csv into `out`; return [seconds]."""
    from dashboard.demo.generator import generate
    from tools.csvout import write_dataset

    t0 = time.perf_counter()
    write_dataset(generate(treatments=treatments, seed=seed), out)
    return [time.perf_counter() - t0]


def time_pandas_reference(db_path: Path, runs: int) -> list[float]:
    """Open the database read-only and time the pandas reference of the default Trends view `runs` times."""
    from dashboard.core.db import Database
    from dashboard.trends.filters import Filters
    from dashboard.trends.queries import bounds
    from tools.pandas_ref import run_all_pandas

    db = Database(db_path, read_only=True)
    try:
        default = Filters().resolved(bounds(db, BENCH)[1])
        times = []
        for _ in range(max(1, runs)):
            t0 = time.perf_counter()
            run_all_pandas(db, BENCH, default)
            times.append(time.perf_counter() - t0)
        return times
    finally:
        db.close()


def run_child(*args: str) -> dict[str, Any]:
    """Run one job in a fresh Python process and return its JSON report; raises RuntimeError when it fails."""
    proc = subprocess.run([sys.executable, "-m", "tools.benchjobs", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark job {args[0]} failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def timing(seconds: list[float]) -> dict[str, float]:
    """Median and max of a list of seconds, as the bench reports them."""
    return {"median_s": round(statistics.median(seconds), 4), "max_s": round(max(seconds), 4)}


def main(argv: list[str] | None = None) -> int:
    """Command line of the child processes (see the module docstring)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 4 and args[0] == "dataset":
        seconds = write_demo_dataset(Path(args[1]), int(args[2]), int(args[3]))
    elif len(args) == 3 and args[0] == "pandas":
        seconds = time_pandas_reference(Path(args[1]), int(args[2]))
    else:
        print("usage: python -m tools.benchjobs dataset OUT N SEED | pandas DB RUNS", file=sys.stderr)
        return 2
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_rss_mb()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
