"""Clinical reference data: built from data/reference/*.yaml and loaded into the ref_* tables."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import duckdb
import pandas as pd
import yaml

from dashboard.core.config import AREAS, PRODUCTS, REFERENCE_DIR

INN = {
    "ona": "onabotulinumtoxinA",
    "inco": "incobotulinumtoxinA",
    "prabot": "prabotulinumtoxinA",
    "leti": "letibotulinumtoxinA",
    "abo": "abobotulinumtoxinA",
    "daxi": "daxibotulinumtoxinA",
}
REFERENCE_FILES = ("reference.yaml", "catalog.yaml")


@dataclass(frozen=True)
class ReferenceTables:
    """The reference data as DataFrames, one per ref_* table."""

    products: pd.DataFrame
    areas: pd.DataFrame
    area_doses: pd.DataFrame
    terms: pd.DataFrame
    area_events: pd.DataFrame
    risk_factors: pd.DataFrame


def _yaml(name: str) -> dict[str, Any]:
    with open(REFERENCE_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def reference_hash() -> str:
    """Return a SHA-256 over the reference files, used to reload the tables when they change."""
    h = hashlib.sha256()
    for name in REFERENCE_FILES:
        h.update((REFERENCE_DIR / name).read_bytes())
    return h.hexdigest()


def _range(v: Any) -> tuple[float, float] | None:
    if v is None:
        return None
    if isinstance(v, int | float):
        return float(v), float(v)
    return float(v[0]), float(v[1])


def _area_dose(area: str, spec: dict[str, Any]) -> dict[str, Any] | None:
    """Turn one reference.yaml `units` entry into a usual total range for the area."""
    usual: tuple[float, float] | None = None
    label_total: float | None = None
    total = _range(spec.get("total"))
    if "practice_total" in spec:
        usual = _range(spec["practice_total"])
    elif total:
        usual = total
    if total and total[0] == total[1] and str(spec.get("basis", "")).startswith("label"):
        label_total = total[0]
    if "label_total" in spec:
        label_total = float(spec["label_total"])
    if usual is None and "per_side" in spec:
        lo, hi = _range(spec["per_side"]) or (0.0, 0.0)
        usual = (2 * lo, 2 * hi)
    if usual is None and "per_axilla" in spec:
        lo, hi = _range(spec["per_axilla"]) or (0.0, 0.0)
        usual = (2 * lo, 2 * hi)
        if lo == hi:
            label_total = 2 * lo
    if usual is None and "consensus_total" in spec:
        usual = _range(spec["consensus_total"])
    if "label_total_by_bands" in spec:
        bands = [float(x) for x in spec["label_total_by_bands"].values()]
        if usual:
            usual = (min(usual[0], min(bands)), usual[1])
    if usual is None:
        return None
    pp = _range(spec.get("per_point"))
    return {
        "usual_lo": usual[0],
        "usual_hi": usual[1],
        "label_total": label_total,
        "per_point_lo": pp[0] if pp else None,
        "per_point_hi": pp[1] if pp else None,
        "basis": str(spec.get("basis", "derived")),
    }


@lru_cache(maxsize=1)
def build_tables() -> ReferenceTables:
    """Build every reference table from the YAML files (pure; cached)."""
    ref = _yaml("reference.yaml")
    cat = _yaml("catalog.yaml")

    products = []
    for code in PRODUCTS:
        p = ref["products"][code]
        recon = p.get("recon") or {}
        ml_100 = None
        if 100 in recon and isinstance(recon[100], int | float):
            ml_100 = float(recon[100])
        elif recon:
            size, ml = next(iter(recon.items()))
            ml_v = ml[0] if isinstance(ml, list) else ml
            ml_100 = float(ml_v) * 100.0 / float(size)
        products.append({
            "code": code, "inn": INN[code], "brand": p["brand"],
            "factor_vs_ona": float(p["factor_vs_ona"]),
            "conc_u_per_0_1ml": float(p["conc_U_per_0_1mL"]) if "conc_U_per_0_1mL" in p else None,
            "label_ml_per_100u": ml_100,
            "use_within_h": p.get("use_within_h"),
            "vial_sizes": ",".join(str(k) for k in recon),
        })
    factor = {r["code"]: r["factor_vs_ona"] for r in products}

    areas, doses, area_events = [], [], []
    common = ref["common_events"]
    for code in AREAS:
        a = ref["areas"][code]
        meta = cat["areas"][code]
        pts = a.get("points") or {}
        prange = pts.get("range") or pts.get("per_side") or pts.get("per_axilla")
        if code in ("masseter", "axillary_hyperhidrosis") and prange:
            prange = [2 * prange[0], 2 * prange[1]]
        areas.append({
            "code": code, "name": meta["name"], "region": meta["region"],
            "muscles": ", ".join(a.get("muscles") or ["eccrine glands"]),
            "points_lo": int(prange[0]) if prange else None,
            "points_hi": int(prange[1]) if prange else None,
            "chart_x": float(meta["chart_x"]), "chart_y": float(meta["chart_y"]),
            "placement_rules": "; ".join(a.get("placement_rules") or []) or None,
        })
        units = a.get("units") or {}
        have: dict[str, dict[str, Any]] = {}
        for prod, spec in units.items():
            if prod in PRODUCTS:
                d = _area_dose(code, spec)
                if d:
                    have[prod] = d
        if cat.get("derive_missing_doses") and "ona" in have:
            base = have["ona"]
            for prod in PRODUCTS:
                if prod not in have:
                    f = factor[prod]
                    have[prod] = {
                        "usual_lo": base["usual_lo"] * f, "usual_hi": base["usual_hi"] * f,
                        "label_total": None,
                        "per_point_lo": base["per_point_lo"] * f if base["per_point_lo"] else None,
                        "per_point_hi": base["per_point_hi"] * f if base["per_point_hi"] else None,
                        "basis": "derived",
                    }
        for prod, d in have.items():
            doses.append({"area": code, "product": prod, **d})

        inherit = a.get("inherits_common_events")
        evs: dict[tuple[str, int], dict[str, Any]] = {}
        if inherit is True:
            chosen = common
        elif isinstance(inherit, str) and inherit.startswith("partial"):
            keep = {"hypersensitivity", "anaphylactic_reaction", "drug_ineffective"}
            chosen = [e for e in common if e["term"] in keep]
        else:
            chosen = []
        for e in list(chosen) + list(a.get("expected_adverse_events") or []):
            if not isinstance(e.get("p"), int | float):
                continue
            key = (e["term"], int(e.get("severity_min", 1)))
            pr = e.get("p_range") or [None, None]
            on, du = e["onset_d"], e["dur_d"]
            evs[key] = {
                "area": code, "term": e["term"], "p": float(e["p"]),
                "p_lo": pr[0], "p_hi": pr[1], "severity_min": key[1],
                "onset_min": on[0], "onset_lo": on[1], "onset_hi": on[2], "onset_max": on[3],
                "dur_lo": du[0], "dur_hi": du[1], "dur_max": du[2],
                "dose_dependent": bool(e.get("dose_dependent", False)),
            }
        area_events.extend(evs.values())

    region_of = {t: r for r, ts in cat["term_regions"].items() for t in ts}
    terms = []
    for t in ref["ae_terms"]["terms"]:
        g = t.get("grades") or {}
        terms.append({
            "code": t["code"],
            "plain_name": cat["plain_names"][t["code"]],
            "preferred_term": t["preferred_term"],
            "soc": t.get("soc"),
            "body_region": cat["region_names"][region_of[t["code"]]],
            "graded": bool(t.get("graded", True)),
            "is_process": t["code"] in cat["process_terms"],
            **{f"grade{i}": g.get(i) for i in range(1, 6)},
            "placement_areas": ",".join(t.get("placement_signature_areas") or []),
            "placement_note": t.get("placement_note"),
        })

    risk = [
        {
            "code": code, "label": r["label"], "explanation": r["explanation"],
            "contraindication": bool(r["contraindication"]),
            "related_terms": ",".join(r.get("related_terms") or []),
        }
        for code, r in cat["risk_factors"].items()
    ]
    return ReferenceTables(
        products=pd.DataFrame(products),
        areas=pd.DataFrame(areas),
        area_doses=pd.DataFrame(doses),
        terms=pd.DataFrame(terms),
        area_events=pd.DataFrame(area_events),
        risk_factors=pd.DataFrame(risk),
    )


# Parent tables are referenced by foreign keys: new keys are inserted and existing rows updated.
# Leaf tables are replaced whole.
_PARENTS = (("ref_products", "products"), ("ref_areas", "areas"), ("ref_terms", "terms"),
            ("ref_risk_factors", "risk_factors"))
_LEAVES = (("ref_area_doses", "area_doses"), ("ref_area_events", "area_events"))


def _ident(name: str) -> str:
    """Return name if it is a plain identifier of ours (tables and columns come from fixed tuples)."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise ValueError(f"not an identifier: {name!r}")
    return name


def _upsert_statements(table: str, cols: list[str]) -> tuple[str, str]:
    t = _ident(table)
    col_list = ", ".join(_ident(c) for c in cols)
    sets = ", ".join(c + " = s." + c for c in cols if c != "code")
    update = "UPDATE " + t + " AS t SET " + sets + " FROM ref_stage s WHERE t.code = s.code"
    insert = ("INSERT INTO " + t + " (" + col_list + ") SELECT " + col_list + " FROM ref_stage s "
              "WHERE s.code NOT IN (SELECT code FROM " + t + ")")
    return update, insert


def _replace_statements(table: str, cols: list[str]) -> tuple[str, str]:
    t = _ident(table)
    col_list = ", ".join(_ident(c) for c in cols)
    return "DELETE FROM " + t, "INSERT INTO " + t + " (" + col_list + ") SELECT " + col_list + " FROM ref_stage"


def _load(cur: duckdb.DuckDBPyConnection, tables: ReferenceTables) -> None:
    for table, attr in _PARENTS + _LEAVES:
        frame = getattr(tables, attr)
        build = _upsert_statements if (table, attr) in _PARENTS else _replace_statements
        first, second = build(table, list(frame.columns))
        cur.register("ref_stage", frame)
        cur.execute(first)
        cur.execute(second)
        cur.unregister("ref_stage")


def ensure_reference(db: Any) -> bool:
    """Load or refresh the ref_* tables when the reference files changed; returns True if loaded."""
    digest = reference_hash()
    current = db.scalar("SELECT value FROM settings WHERE key = 'reference_hash'")
    if current == digest:
        return False
    tables = build_tables()

    def work(cur: duckdb.DuckDBPyConnection) -> None:
        _load(cur, tables)
        cur.execute("DELETE FROM settings WHERE key = 'reference_hash'")
        cur.execute("INSERT INTO settings (key, value) VALUES ('reference_hash', $v)", {"v": digest})

    db.write(work)
    return True
