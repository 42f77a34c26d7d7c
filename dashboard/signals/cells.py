"""DuckDB aggregates that feed the statistical methods (one cursor holds the run's temporary tables)."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from dashboard.core.config import RISK_FACTORS
from dashboard.core.sqlfiles import load_sql
from dashboard.signals.expected import CellProbabilities

OUT_OF_RANGE_BANDS = (0, 3, 4)
DOSE_BAND_LABELS = {
    0: "below the usual range",
    1: "lower half of the usual range",
    2: "upper half of the usual range",
    3: "up to 1.5 x the usual maximum",
    4: "more than 1.5 x the usual maximum",
}


class SignalData:
    """The run's aggregates over the stored signal rows of the period (kept by the refresh), in one cursor."""

    def __init__(self, cur: duckdb.DuckDBPyConnection, date_from: date | None, date_to: date | None) -> None:
        """Select the period's treatment x area rows and attributed events (inclusive dates; None = open)."""
        self.cur = cur
        params = {"date_from": date_from, "date_to": date_to}
        if date_from is None and date_to is None:
            cur.execute(load_sql("signals_rows_all"))
        else:
            cur.execute(load_sql("signals_rows_period"), params)
        cur.execute(load_sql("signals_build_ev"), params)
        self._dose: dict[tuple[str, str, bool], np.ndarray] | None = None
        self._dose_cols: dict[str, np.ndarray] = {}
        self._windows: dict[tuple[date, date], pd.DataFrame] = {}
        self._events: _EventTable | None = None
        self._areas: dict[str, tuple[dict[str, np.ndarray], dict[str, np.ndarray]]] = {}
        self._by_day_clinic: pd.DataFrame | None = None

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

    def set_expected(self, probs: CellProbabilities, cells: pd.DataFrame, injector_names: dict[str, str]) -> None:
        """Keep the per-cell probabilities (and the cells they index) for the expected counts that follow."""
        self.probs = probs
        self._cell_area = cells["area"].to_numpy(dtype=object)
        self._cell_band = cells["dose_band"].to_numpy()
        self._injector_names = injector_names
        self._units: dict[str, dict[str, np.ndarray]] = {}

    def _unit_cells(self, unit: str) -> dict[str, np.ndarray]:
        """Return the treatments per unit ('injector', 'lot' or 'day') and case-mix cell as arrays, with each
        cell's row in the probability matrices ('cell')."""
        if unit not in self._units:
            g = self.cur.execute(load_sql(f"signals_unit_{unit}_cells")).fetchnumpy()
            g["cell"] = self.probs.cell_index(g["cell_id"])
            self._units[unit] = g
        return self._units[unit]

    def by_injector(self) -> pd.DataFrame:
        """Return injector x area x term observed, expected and out-of-range parts."""
        g = self._unit_cells("injector")
        cell = g["cell"]
        area_code, areas = pd.factorize(self._cell_area, sort=True)
        injector = np.asarray(g["injector_id"], dtype=np.int64)
        first, unit = np.unique(injector * len(areas) + area_code[cell], return_index=True, return_inverse=True)[1:]
        unit = unit.ravel()
        units = pd.DataFrame({"injector_id": injector[first], "area": self._cell_area[cell[first]]})
        e, n = self.probs.unit_sums(unit, cell, g["n"], len(units))
        out_of_range = g["n_out"] > 0  # a cell fixes the dose band: n_out is n or 0, and the zeros add nothing
        e_out, n_out = self.probs.unit_sums(unit[out_of_range], cell[out_of_range], g["n_out"][out_of_range],
                                            len(units))
        out = self.probs.long(units, ["injector_id", "area"], e, n,
                              {"n_out": np.rint(n_out).astype(np.int64), "expected_out": e_out})
        out.insert(1, "injector", [self._injector_names.get(str(i), "") for i in out["injector_id"]])
        obs = self._df("signals_injector_observed")
        out = out.merge(obs, on=["injector_id", "area", "term"], how="left")
        out[["observed", "observed_out"]] = out[["observed", "observed_out"]].fillna(0).astype(np.int64)
        return out.sort_values(["term", "area", "injector_id"], kind="stable").reset_index(drop=True)

    def injector_dose_cells(self, injector_ids: list[int], areas: list[str]) -> pd.DataFrame:
        """Return treatments and summed dose ratio (1 where the reference gives no range) per case-mix cell of the
        given (injector, area) pairs (parallel lists), sorted by injector, area and cell: the injector x cell counts
        restricted to those pairs (a cell fixes the area and the dose band)."""
        g = self._unit_cells("injector")
        area_code, names = pd.factorize(self._cell_area, sort=True)
        code = {a: i for i, a in enumerate(names)}
        injector = np.asarray(g["injector_id"], dtype=np.int64)
        row_area = area_code[g["cell"]]
        wanted = [i * len(names) + code[a] for i, a in zip(injector_ids, areas, strict=True) if a in code]
        rows = np.flatnonzero(np.isin(injector * len(names) + row_area, wanted))
        rows = rows[np.lexsort((g["cell_id"][rows], row_area[rows], injector[rows]))]
        cell = g["cell"][rows]
        return pd.DataFrame({"injector_id": g["injector_id"][rows], "area": self._cell_area[cell],
                             "cell_id": g["cell_id"][rows], "dose_band": self._cell_band[cell], "n": g["n"][rows],
                             "dose_sum": g["dose_sum"][rows]})

    def by_lot(self) -> pd.DataFrame:
        """Return lot x term observed and expected with the lot's period of use."""
        g = self._unit_cells("lot")
        units, unit = np.unique(np.asarray(g["lot_id"], dtype=np.int64), return_inverse=True)
        e, n = self.probs.unit_sums(unit.ravel(), g["cell"], g["n"], len(units))
        out = self.probs.long(pd.DataFrame({"lot_id": units}), ["lot_id"], e, n)
        lots = self._df("signals_lots")
        out = out.merge(lots, on="lot_id")
        out = out.merge(self._df("signals_lot_observed"), on=["lot_id", "term"], how="left")
        out[["observed", "injectors_with_events"]] = out[["observed", "injectors_with_events"]].fillna(0).astype(
            np.int64)
        cols = ["lot_id", "lot", "product", "term", "treatments", "expected", "observed", "injectors_with_events",
                "first_day", "last_day", "injectors"]
        return out[cols].sort_values(["term", "lot_id"], kind="stable").reset_index(drop=True)

    def by_day(self) -> pd.DataFrame:
        """Return day x term treatments, observed and expected (every clinic together)."""
        per = self.by_day_clinic()
        out = per.groupby(["day", "term"], sort=False)[["treatments", "expected", "observed"]].sum().reset_index()
        return out[["day", "term", "treatments", "expected", "observed"]].sort_values(
            ["term", "day"], kind="stable").reset_index(drop=True)

    def by_day_clinic(self) -> pd.DataFrame:
        """Return day x clinic x term treatments, observed and expected (for the per-clinic time scans)."""
        if self._by_day_clinic is not None:
            return self._by_day_clinic
        g = self._unit_cells("day")
        day = np.asarray(g["day"], dtype="datetime64[D]")
        clinic = np.asarray(g["clinic_id"], dtype=np.int64)
        key = day.astype(np.int64) * (int(clinic.max(initial=0)) + 1) + clinic
        keys, first, unit = np.unique(key, return_index=True, return_inverse=True)
        e, n = self.probs.unit_sums(unit.ravel(), g["cell"], g["n"], len(keys))
        out = self.probs.long(pd.DataFrame({"day": day[first], "clinic_id": clinic[first]}), ["day", "clinic_id"],
                              e, n)
        obs = self._df("signals_day_observed")
        obs["day"] = pd.to_datetime(obs["day"])
        out["day"] = pd.to_datetime(out["day"])
        out = out.merge(obs, on=["day", "clinic_id", "term"], how="left")
        out["observed"] = out["observed"].fillna(0).astype(np.int64)
        self._by_day_clinic = out[["day", "clinic_id", "term", "treatments", "expected", "observed"]].sort_values(
            ["term", "clinic_id", "day"], kind="stable").reset_index(drop=True)
        return self._by_day_clinic

    def recorded_in_area(self, injector_id: int, area: str, term: str) -> tuple[int, int]:
        """Return (events recorded by the reporter in the area, events placed on it) of an injector x area x term."""
        row = self.cur.execute(load_sql("signals_recorded_area"),
                               {"injector_id": int(injector_id), "area": area, "term": term}).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def injector_products(self) -> pd.DataFrame:
        """Return injector x area x product treatments below/above the usual dose range."""
        return self._df("signals_injector_products")

    def breakdown(self, term: str, area: str | None = None, clinic_id: int | None = None,
                  day_from: date | None = None, day_to: date | None = None) -> pd.DataFrame:
        """Return the events of a term broken down by injector and lot (optionally restricted)."""
        if self._events is None:
            self._events = _EventTable(self._df("signals_event_observed"))
        return self._events.breakdown(term, area, clinic_id, day_from, day_to)

    def window_units(self, term: str, day_from: date, day_to: date) -> pd.DataFrame:
        """Return treatments, expected and observed events of a term per lot and injector inside a window."""
        cols = ["lot_id", "injector_id", "treatments", "expected", "observed"]
        if term not in self.probs.terms:
            return pd.DataFrame(columns=cols)
        params = {"day_from": day_from, "day_to": day_to}
        if (day_from, day_to) not in self._windows:  # the same for every term of the window
            self._windows[(day_from, day_to)] = self._df("signals_window_cells", params)
        g = self._windows[(day_from, day_to)]
        p = self.probs.term_series(term)
        g = g.assign(p=p.reindex(g["cell_id"].to_numpy()).to_numpy())
        g = g[g["p"].notna()]
        g = g.assign(e=g["n"] * g["p"])
        out = g.groupby(["lot_id", "injector_id"], dropna=False, sort=True).agg(
            treatments=("n", "sum"), expected=("e", "sum")).reset_index()
        obs = self._df("signals_window_observed", {"term": term, **params})
        out = out.merge(obs, on=["lot_id", "injector_id"], how="left")
        out["observed"] = out["observed"].fillna(0).astype(np.int64)
        return out[cols]

    def dose_breakdown(self, area: str, product: str, term: str, below: bool) -> pd.DataFrame:
        """Return out-of-range treatments and events of an area x product x term by injector."""
        if self._dose is None:  # fetched once; row numbers per area x product x side (rows keep their order)
            rows = self._df("signals_dose_breakdown")
            self._dose = {(str(k[0]), str(k[1]), bool(k[2])): idx
                          for k, idx in rows.groupby(["area", "product", "below"], sort=False).indices.items()}
            self._dose_cols = {"injector_id": rows["injector_id"].to_numpy(), "count": rows["count"].to_numpy(),
                               "no_term": rows["term"].isna().to_numpy(),
                               "term": rows["term"].to_numpy(dtype=object, na_value=None)}
        idx = self._dose.get((str(area), str(product), bool(below)), np.empty(0, dtype=np.intp))
        injector, count = self._dose_cols["injector_id"][idx], self._dose_cols["count"][idx]
        treated = self._dose_cols["no_term"][idx]
        events = dict(zip(injector[self._dose_cols["term"][idx] == term].tolist(),
                          count[self._dose_cols["term"][idx] == term].tolist(), strict=True))
        injector, treatments = injector[treated], count[treated]
        observed = np.array([events.get(i, 0) for i in injector.tolist()], dtype=np.int64)
        order = np.lexsort((injector, -observed))  # most events first, then by injector (one row per injector)
        return pd.DataFrame({"injector_id": injector[order], "treatments": treatments[order],
                             "observed": observed[order]})

    def cusum_series(self, area: str, term: str) -> pd.DataFrame:
        """Return the area's treatments in time order per injector with cell and event flag for the term."""
        if area not in self._areas:
            rows = self.cur.execute(load_sql("signals_area_series"), {"area": area}).fetchnumpy()
            ev = self._df("signals_area_events", {"area": area})
            self._areas[area] = (rows, {t: g["treatment_id"].to_numpy() for t, g in ev.groupby("term", sort=False)})
        rows, events = self._areas[area]
        flag = np.isin(np.asarray(rows["treatment_id"]), events.get(term, np.empty(0, dtype=np.int64)))
        return pd.DataFrame({"injector_id": np.asarray(rows["injector_id"]), "cell_id": np.asarray(rows["cell_id"]),
                             "day": np.asarray(rows["day"]), "event": flag})


class _EventTable:
    """The run's events per term x area x clinic x day x injector x lot, grouped in numpy on demand.

    The (injector, lot, clinic) of each row is one integer whose order is the order of the three ids (a missing lot
    last), so a breakdown is a unique + bincount over a term's rows, in the order a query would sort them."""

    KEYS = ("injector_id", "lot_id", "clinic_id")

    def __init__(self, ev: pd.DataFrame) -> None:
        """Index the rows by term and code the grouping columns."""
        self.uniques: list[np.ndarray] = []
        key = np.zeros(len(ev), dtype=np.int64)
        for col in self.KEYS:
            values = ev[col]
            na = values.isna().to_numpy()
            uniques, code = np.unique(values[~na].to_numpy(dtype=np.int64), return_inverse=True)
            codes = np.full(len(ev), uniques.size, dtype=np.int64)  # a missing value sorts last
            codes[~na] = code.ravel()
            key = key * (uniques.size + 1) + codes
            self.uniques.append(uniques)
        self.key = key
        self.area_code, self.areas = pd.factorize(ev["area"])
        self.clinic = ev["clinic_id"].to_numpy(dtype=np.int64)
        self.day = ev["day"].to_numpy(dtype="datetime64[D]")
        self.observed = ev["observed"].to_numpy(dtype=np.int64)
        terms = ev["term"].to_numpy(dtype=object)
        bounds = np.flatnonzero(terms[1:] != terms[:-1]) + 1  # rows come sorted by term
        starts, ends = np.r_[0, bounds], np.r_[bounds, len(ev)]
        self.rows = {terms[a]: slice(a, b) for a, b in zip(starts, ends, strict=True) if b > a}

    def breakdown(self, term: str, area: str | None, clinic_id: int | None, day_from: date | None,
                  day_to: date | None) -> pd.DataFrame:
        """Return observed events per injector x lot x clinic of a term, restricted as asked, sorted by the ids."""
        rows = self.rows.get(term, slice(0, 0))
        keep = np.ones(rows.stop - rows.start, dtype=bool)
        if area is not None:
            codes = np.flatnonzero(self.areas == area)
            keep &= self.area_code[rows] == (codes[0] if codes.size else -2)
        if clinic_id is not None:
            keep &= self.clinic[rows] == int(clinic_id)
        if day_from is not None:
            keep &= self.day[rows] >= np.datetime64(pd.Timestamp(day_from).date(), "D")
        if day_to is not None:
            keep &= self.day[rows] <= np.datetime64(pd.Timestamp(day_to).date(), "D")
        groups, inverse = np.unique(self.key[rows][keep], return_inverse=True)
        observed = np.bincount(inverse.ravel(), weights=self.observed[rows][keep], minlength=groups.size)
        out = {}
        for col, uniques in reversed(list(zip(self.KEYS, self.uniques, strict=True))):
            code = groups % (uniques.size + 1)
            groups = groups // (uniques.size + 1)
            na = code == uniques.size
            values = uniques[np.minimum(code, max(uniques.size - 1, 0))] if uniques.size else np.zeros(code.size)
            series = pd.Series(values.astype(np.int32))
            out[col] = series.astype("Int32").mask(na) if na.any() else series
        return pd.DataFrame({col: out[col] for col in self.KEYS} | {"observed": observed.astype(np.int64)})
