"""DuckDB aggregates that feed the statistical methods (one cursor holds the run's temporary tables)."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from dashboard.config import RISK_FACTORS
from dashboard.sqlfiles import load_sql

OUT_OF_RANGE_BANDS = (0, 3, 4)
DOSE_BAND_LABELS = {
    0: "below the usual range",
    1: "lower half of the usual range",
    2: "upper half of the usual range",
    3: "up to 1.5 x the usual maximum",
    4: "more than 1.5 x the usual maximum",
}


class SignalData:
    """The run's aggregates: treatment x area rows and attributed events, built once per run in one cursor."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, date_from: date | None, date_to: date | None) -> None:
        """Build the temporary tables for the period (inclusive dates; None = open)."""
        self.cur = cur
        params = {"date_from": date_from, "date_to": date_to}
        cur.execute(load_sql("signals_build_ta"), params)
        cur.execute(load_sql("signals_build_ev"))

    def _df(self, name: str, params: dict | None = None) -> pd.DataFrame:
        return self.cur.execute(load_sql(name), params).df()

    def cells(self) -> pd.DataFrame:
        """Return the case-mix cells with exposure and one 0/1 column per risk factor."""
        cells = self._df("signals_cells")
        mask = cells["fmask"].to_numpy(dtype=np.int64)
        for bit, name in enumerate(RISK_FACTORS):
            cells[name] = (mask >> bit) & 1
        cells["dose_model"] = cells["dose_band"].clip(1, 2)
        cells["vpp_model"] = cells["vpp_band"].clip(0, 1)
        return cells

    def cell_events(self) -> pd.DataFrame:
        """Return treatments with each term per cell."""
        return self._df("signals_cell_events")

    def ref_pairs(self) -> pd.DataFrame:
        """Return the reference area x term pairs."""
        return self._df("signals_ref_pairs")

    def usual_doses(self) -> pd.DataFrame:
        """Return the usual dose range per area and product."""
        return self._df("signals_usual_doses")

    def names(self) -> dict[str, dict[str, str]]:
        """Return display names by kind ('injector', 'clinic', 'term', 'product', 'area', 'factor', ...)."""
        out: dict[str, dict[str, str]] = {}
        for kind, code, name in self.cur.execute(load_sql("signals_names")).fetchall():
            out.setdefault(kind, {})[code] = name or ""
        return out

    def set_expected(self, phat: pd.DataFrame) -> None:
        """Register the per-cell predicted probabilities (columns term, area, cell_id, p) as sig_phat."""
        self.cur.register("sig_phat_df", phat)
        self.cur.execute("CREATE OR REPLACE TEMP TABLE sig_phat AS SELECT * FROM sig_phat_df")
        self.cur.unregister("sig_phat_df")

    def by_injector(self) -> pd.DataFrame:
        """Return injector x area x term observed, expected and out-of-range parts."""
        return self._df("signals_by_injector")

    def by_lot(self) -> pd.DataFrame:
        """Return lot x term observed and expected with the lot's period of use."""
        return self._df("signals_by_lot")

    def by_day(self) -> pd.DataFrame:
        """Return clinic x day x term observed and expected."""
        return self._df("signals_by_day")

    def injector_products(self) -> pd.DataFrame:
        """Return injector x area x product treatments below/above the usual dose range."""
        return self._df("signals_injector_products")

    def breakdown(self, term: str, area: str | None = None, clinic_id: int | None = None,
                  day_from: date | None = None, day_to: date | None = None) -> pd.DataFrame:
        """Return the events of a term broken down by injector and lot (optionally restricted)."""
        return self._df("signals_event_breakdown", {"term": term, "area": area, "clinic_id": clinic_id,
                                                    "day_from": day_from, "day_to": day_to})

    def window_units(self, term: str, day_from: date, day_to: date) -> pd.DataFrame:
        """Return treatments, expected and observed events of a term per lot and injector inside a window."""
        return self._df("signals_window_units", {"term": term, "day_from": day_from, "day_to": day_to})

    def dose_breakdown(self, area: str, product: str, term: str, below: bool) -> pd.DataFrame:
        """Return out-of-range treatments and events of an area x product x term by injector."""
        return self._df("signals_dose_breakdown", {"area": area, "product": product, "term": term, "below": below})

    def cusum_series(self, area: str, term: str) -> pd.DataFrame:
        """Return the area's treatments in time order per injector with cell and event flag for the term."""
        return self._df("signals_cusum_series", {"area": area, "term": term})
