"""Small array helpers shared by the demo generator modules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa


def strings(codes: np.ndarray, names: Sequence[object] | np.ndarray) -> pd.Series:
    """A string Series from integer codes into names (negative code = unknown), without a Python object per row."""
    codes = np.asarray(codes, dtype=np.int64)
    missing = codes < 0
    indices = pa.array(np.where(missing, 0, codes).astype(np.int32), mask=missing)
    plain = pa.DictionaryArray.from_arrays(indices, pa.array([str(x) for x in names])).cast(pa.large_string())
    return pd.Series(plain, dtype="str")


def lookup(vocab: Sequence[str], mapping: dict[str, float] | set[str] | tuple[str, ...], default: float = 0.0
           ) -> np.ndarray:
    """An array over vocab: mapping[value] (or membership as 1/0 for a set/tuple), default when absent."""
    if isinstance(mapping, dict):
        return np.array([float(mapping.get(v, default)) for v in vocab])
    return np.array([v in mapping for v in vocab])
