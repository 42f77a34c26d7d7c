"""`python -m dashboard calibrate --null N --planted N --treatments T --seed S`: the signal engine on random clinics.

Prints one JSON object (format injectwatch-calibration/1) on stdout and a progress bar on stderr. The clinics come
from the scenario generator in tests/support (independent of the demo), so the command runs from a checkout of the
repository. Exit 0, or 2 for a bad argument or when the generator is not there.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

EXIT_OK, EXIT_USAGE = 0, 2
MIN_TREATMENTS, MAX_TREATMENTS = 500, 500_000


def parse_treatments(text: str) -> tuple[int, int]:
    """Parse '20000' or a range '10000-50000' (clinic sizes drawn log-uniform over it)."""
    m = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+))?\s*", text or "")
    if not m:
        raise ValueError(f"--treatments {text!r}: give a number such as 20000 or a range such as 10000-50000")
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if lo > hi:
        raise ValueError(f"--treatments {text!r}: the range must go from the smaller to the larger number")
    if lo < MIN_TREATMENTS or hi > MAX_TREATMENTS:
        raise ValueError(f"--treatments {text!r}: clinics of {MIN_TREATMENTS:,} to {MAX_TREATMENTS:,} treatments")
    return lo, hi


def run(args: argparse.Namespace) -> int:
    """Run the calibration and print its JSON; return the exit code."""
    try:
        sizes = parse_treatments(args.treatments)
    except ValueError as exc:
        print(f"calibrate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.null < 0 or args.planted < 0 or args.null + args.planted == 0:
        print("calibrate: give at least one clinic (--null N and/or --planted N, not negative)", file=sys.stderr)
        return EXIT_USAGE
    root = Path(__file__).resolve().parents[1]
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        from tests.support.calibration import calibrate, progress_bar
    except ImportError as exc:
        print(f"calibrate: the scenario generator (tests/support) is not available here ({exc}); run the command "
              f"from a checkout of the repository", file=sys.stderr)
        return EXIT_USAGE
    details: list[dict] = []
    result = calibrate(args.null, args.planted, sizes, args.seed, jobs=max(1, args.jobs), progress=progress_bar,
                       details=details)
    if args.details:
        Path(args.details).write_text(json.dumps(details, indent=1, default=str) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    n = result["null"]
    pl = result["planted"]
    print(f"calibrate: {n['clinics_with_act']} of {n['clinics']} null clinics with an act signal; "
          f"{pl['found_act']} of {pl['problems']} planted problems found at act with the right kind "
          f"({pl['found']} found at all), {result['seconds']} s", file=sys.stderr)
    return EXIT_OK
