"""Write the demo frames as a spec data set (section 1): UTF-8 CSV, ISO datetimes, true/false booleans."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with every column as spec text: ISO 'T' datetimes, true/false, empty for unknown."""
    out = pd.DataFrame(index=frame.index)
    for name, col in frame.items():
        if pd.api.types.is_datetime64_any_dtype(col):
            out[name] = col.dt.strftime(DATETIME_FORMAT)
        elif pd.api.types.is_bool_dtype(col):
            out[name] = col.map({True: "true", False: "false"})
        elif pd.api.types.is_float_dtype(col):
            out[name] = col.round(3).astype("str")
        else:
            out[name] = col.astype("str")
    return out.fillna("")


def write_dataset(frames: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write treatments.csv, injections.csv and events.csv into folder; returns the paths."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ("treatments", "injections", "events"):
        if name in frames:
            path = target / f"{name}.csv"
            as_text(frames[name]).to_csv(path, index=False, encoding="utf-8")
            paths.append(path)
    return paths
