"""Data layer of the practitioner pages: reference look-ups, saving treatments, events and follow-ups.

Every function that serves a page takes the signed-in `User` and checks the permission first;
practitioners see the treatments they gave or entered and the cases on those treatments or that
they reported, managers see everything. Every insert is audited in the same transaction, and every
save carries a client token so a double click or a rerun never stores a record twice.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import duckdb
import pandas as pd

from dashboard.core.authz import User, read_scope, require, require_signed_in
from dashboard.core.config import CAUSALITY, RISK_FACTORS, SERIOUSNESS
from dashboard.core.db import Database
from dashboard.practice.validation import (
    DoseRange,
    EventDraft,
    FollowUpDraft,
    ProductRef,
    Reference,
    TreatmentDraft,
)
from dashboard.trends.refresh import refresh_in

CLOSED_OUTCOMES = ("recovered", "recovered_with_sequelae", "fatal")
# fields compared between two versions of a case, with the label shown to people
VERSION_FIELDS = {
    "term": "event", "onset_at": "onset", "severity": "severity", "serious": "serious",
    "seriousness": "seriousness", "outcome": "outcome", "resolved_at": "resolved", "side": "side",
    "area": "area", "causality": "causality", "action_taken": "action taken", "reported_by": "reported by",
    "narrative": "narrative",
}


def new_token() -> str:
    """Return a fresh client token for one form instance."""
    return uuid.uuid4().hex


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _scope(user: User) -> dict[str, Any]:
    """The bound parameters that restrict reads to what this user may see."""
    return read_scope(user)


def combine(day: date | None, clock: time | None) -> tuple[datetime | None, bool]:
    """Join a date and a time; returns (datetime or None, True when only one of the two was given)."""
    if day is None and clock is None:
        return None, False
    if day is None or clock is None:
        return None, True
    return datetime.combine(day, clock).replace(second=0, microsecond=0), False


# ---------------------------------------------------------------------------------------------- reference
def reference(db: Database, user: User | None) -> Reference:
    """Return the clinical reference used by the treatment checks (any signed-in role)."""
    require_signed_in(user)
    products = {
        r.code: ProductRef(r.code, r.brand, float(r.factor_vs_ona),
                           None if pd.isna(r.use_within_h) else int(r.use_within_h))
        for r in db.query("practice_reference_products").itertuples()
    }
    areas = {r.code: r.name for r in db.query("practice_reference_areas").itertuples()}
    doses = {
        (r.area, r.product): DoseRange(float(r.usual_lo), float(r.usual_hi),
                                       None if pd.isna(r.label_total) else float(r.label_total))
        for r in db.query("practice_reference_doses").itertuples()
    }
    risks = db.query("practice_reference_risk_factors")
    terms = db.query("practice_reference_terms")
    return Reference(
        products=products, area_names=areas, doses=doses,
        risk_labels=dict(zip(risks["code"], risks["label"], strict=True)),
        risk_explanations=dict(zip(risks["code"], risks["explanation"], strict=True)),
        terms=frozenset(terms["code"]),
    )


def products(db: Database, user: User | None) -> pd.DataFrame:
    """Return the products (code, brand, inn, factor, use_within_h, vial sizes, label dilution); any signed-in role."""
    require_signed_in(user)
    return db.query("practice_reference_products")


def areas(db: Database, user: User | None) -> pd.DataFrame:
    """Return the treatment areas, top of the face first (any signed-in role)."""
    require_signed_in(user)
    return db.query("practice_reference_areas")


def risk_factors(db: Database, user: User | None) -> pd.DataFrame:
    """Return the risk-factor checklist in the order of the interchange spec (any signed-in role)."""
    require_signed_in(user)
    df = db.query("practice_reference_risk_factors")
    order = {c: i for i, c in enumerate(RISK_FACTORS)}
    return df.assign(_o=df["code"].map(order).fillna(99)).sort_values("_o").drop(columns="_o")


def terms(db: Database, user: User | None) -> pd.DataFrame:
    """Return the event terms grouped by body region, with plain names and grade anchors (any signed-in role)."""
    require_signed_in(user)
    return db.query("practice_reference_terms")


def clinic_names(db: Database, user: User | None) -> list[str]:
    """Return the known clinic names (needs treatment.log)."""
    require(user, "treatment.log")
    return [r[0] for r in db.query_rows("practice_clinic_names")]


def injector_names(db: Database, user: User | None) -> list[str]:
    """Return the known injector names (needs treatment.log; the forms and the managers' injector filters)."""
    require(user, "treatment.log")
    return [r[0] for r in db.query_rows("practice_injector_names")]


def recent_patients(db: Database, user: User, limit: int = 200) -> list[str]:
    """Return patient refs most recently treated, among the treatments this user may see."""
    require(user, "treatment.log")
    return [r[0] for r in db.query_rows("practice_recent_patients", {**_scope(user), "limit": limit})]


def patient_info(db: Database, user: User, patient_ref: str) -> dict[str, Any] | None:
    """Return a known patient's stored birth year and sex, or None for a new reference."""
    require(user, "treatment.log")
    df = db.query("practice_patient_info", {"patient_ref": patient_ref.strip()})
    return None if df.empty else df.iloc[0].to_dict()


def known_lots(db: Database, user: User | None, product: str) -> list[str]:
    """Return the lot numbers known for a product, most recently used first (needs treatment.log)."""
    require(user, "treatment.log")
    return [r[0] for r in db.query_rows("practice_known_lots", {"product": product})]


# ---------------------------------------------------------------------------------------------- saving
@dataclass(frozen=True)
class Saved:
    """The outcome of a save: ids, the readable ref, the version, and whether it was new."""

    id: int
    ref: str
    created: bool
    version: int = 1


def _get_or_create(cur: duckdb.DuckDBPyConnection, db: Database, find: str, insert: str,
                   params: dict[str, Any], insert_params: dict[str, Any] | None = None) -> tuple[int, bool]:
    row = db.execute_named(cur, find, params).fetchone()
    if row is not None:
        return int(row[0]), False
    return int(db.execute_named(cur, insert, insert_params or params).fetchone()[0]), True


def _clean(text: str | None) -> str | None:
    v = (text or "").strip()
    return v or None


def save_treatment(db: Database, user: User, d: TreatmentDraft, *, confirmed: Sequence[str],
                   client_token: str) -> Saved:
    """Store a validated treatment with its areas (idempotent per client_token) and audit it."""
    require(user, "treatment.log")
    if d.treated_at is None or d.product is None:
        raise ValueError("validate the draft before saving")
    actor = user.username

    def work(cur: duckdb.DuckDBPyConnection) -> Saved:
        row = db.execute_named(cur, "practice_treatment_by_token", {"client_token": client_token}).fetchone()
        if row is not None:
            return Saved(int(row[0]), str(row[1]), created=False)
        clinic_id, new_clinic = _get_or_create(cur, db, "practice_clinic_id", "practice_insert_clinic",
                                               {"name": d.clinic.strip()})
        injector_id, new_injector = _get_or_create(cur, db, "practice_injector_id", "practice_insert_injector",
                                                   {"name": d.injector.strip()})
        ref = d.patient_ref.strip()
        patient_id, new_patient = _get_or_create(
            cur, db, "practice_patient_info", "practice_insert_patient", {"patient_ref": ref},
            {"patient_ref": ref, "birth_year": d.birth_year, "sex": d.sex})
        lot_id = None
        lot = _clean(d.lot_number)
        if lot:
            lot_id, _ = _get_or_create(cur, db, "practice_lot_id", "practice_insert_lot",
                                       {"product": d.product, "lot_number": lot})
        prefix = f"T-{d.treated_at:%Y%m%d}-"
        number = db.execute_named(cur, "practice_next_treatment_number",
                                  {"clinic_id": clinic_id, "prefix": prefix}).fetchone()[0]
        treatment_ref = f"{prefix}{int(number):04d}"
        risks = {code: (code in d.risk_factors) for code in RISK_FACTORS}
        treatment_id = int(db.execute_named(cur, "practice_insert_treatment", {
            "clinic_id": clinic_id, "treatment_ref": treatment_ref, "treated_at": d.treated_at,
            "patient_id": patient_id, "injector_id": injector_id, "product": d.product, "lot_id": lot_id,
            "vial_units": d.vial_units, "diluent_ml": d.diluent_ml, "reconstituted_at": d.reconstituted_at,
            **risks,
            "warnings_confirmed": ",".join(confirmed) or None,
            "override_reason": _clean(d.override_reason) if confirmed else None,
            "client_token": client_token, "created_at": _now(), "created_by": actor,
        }).fetchone()[0])
        for a in d.areas:
            db.execute_named(cur, "practice_insert_injection", {
                "treatment_id": treatment_id, "area": a.area, "side": a.side, "units": a.units,
                "points": a.points, "volume_ml": a.volume_ml, "depth": a.depth,
            })
        if new_clinic:
            db.audit(cur, actor, "clinic.create", "clinic", str(clinic_id), json.dumps({"name": d.clinic.strip()}))
        if new_injector:
            db.audit(cur, actor, "injector.create", "injector", str(injector_id),
                     json.dumps({"name": d.injector.strip()}))
        if new_patient:
            db.audit(cur, actor, "patient.create", "patient", str(patient_id), json.dumps({"patient_ref": ref}))
        db.audit(cur, actor, "treatment.create", "treatment", str(treatment_id), json.dumps({
            "treatment_ref": treatment_ref, "areas": [a.area for a in d.areas],
            "warnings_confirmed": list(confirmed), "source": "app"}))
        refresh_in(cur)  # one write path: trends cells and signal rows follow the save
        return Saved(treatment_id, treatment_ref, created=True)

    return db.write(work)


# ---------------------------------------------------------------------------------------------- treatments
def find_treatments(db: Database, user: User, *, search: str = "", injector: str | None = None,
                    limit: int = 50) -> pd.DataFrame:
    """Return recent treatments this user may see, by patient ref substring and injector."""
    require(user, "event.report")
    return db.query("practice_find_treatments", {
        **_scope(user), "search": (search or "").strip(), "injector_filter": injector, "limit": limit})


def treatment_detail(db: Database, user: User, treatment_id: int) -> tuple[dict[str, Any], pd.DataFrame] | None:
    """Return (treatment, its areas) when this user may see the treatment, else None."""
    require(user, "case.view_own")
    return _treatment_detail(db, _scope(user), treatment_id)


def _treatment_detail(db: Database, scope: dict[str, Any], treatment_id: int
                      ) -> tuple[dict[str, Any], pd.DataFrame] | None:
    df = db.query("practice_treatment_detail", {**scope, "treatment_id": int(treatment_id)})
    if df.empty:
        return None
    info = {k: (None if _isna(v) else v) for k, v in df.iloc[0].to_dict().items()}
    return info, db.query("practice_treatment_injections", {"treatment_id": int(treatment_id)})


def areas_table(injections: pd.DataFrame) -> pd.DataFrame:
    """Return a treatment's areas as a readable table (side names, '—' where nothing was recorded)."""
    out = pd.DataFrame({
        "Area": injections["area_name"],
        "Side": injections["side"].map(SIDE_LABELS),
        "Units": injections["units"].map(lambda v: f"{v:g}"),
        "Points": injections["points"].map(lambda v: "—" if _isna(v) else str(int(v))),
        "Volume mL": injections["volume_ml"].map(lambda v: "—" if _isna(v) else f"{v:g}"),
        "Depth": injections["depth"].map(lambda v: "—" if _isna(v) else str(v)),
    })
    return out


def _isna(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------- events
def save_event(db: Database, user: User, d: EventDraft, *, client_token: str) -> Saved:
    """Store a validated adverse event as version 1 (idempotent per client_token) and audit it."""
    require(user, "event.report")
    if d.treatment_id is None or d.onset_at is None or d.term is None or d.severity is None:
        raise ValueError("validate the draft before saving")
    found = _treatment_detail(db, _scope(user), d.treatment_id)
    if found is None:
        raise PermissionError("this treatment is not one you may report on")
    clinic_id = int(found[0]["clinic_id"])
    actor = user.username

    def work(cur: duckdb.DuckDBPyConnection) -> Saved:
        row = db.execute_named(cur, "practice_event_by_token", {"client_token": client_token}).fetchone()
        if row is not None:
            return Saved(int(row[0]), str(row[1]), created=False, version=int(row[2]))
        now = _now()
        event_id, event_ref = new_event(db, cur, clinic_id, d.treatment_id, now)
        db.execute_named(cur, "practice_insert_event_version", {
            "event_id": event_id, "version": 1, "term": d.term, "onset_at": d.onset_at, "severity": d.severity,
            "serious": bool(d.serious), "seriousness": d.seriousness if d.serious else None,
            "outcome": d.outcome, "resolved_at": d.resolved_at, "side": d.side, "area": d.area,
            "causality": d.causality, "action_taken": _clean(d.action_taken),
            "reported_by": _clean(d.reported_by) or user.display_name, "reported_at": now,
            "narrative": _clean(d.narrative), "changed_at": now, "changed_by": actor, "change_note": None,
            "client_token": client_token,
        })
        db.audit(cur, actor, "event.create", "event", str(event_id), json.dumps({
            "event_ref": event_ref, "treatment_id": d.treatment_id, "term": d.term, "version": 1,
            "source": "app"}))
        refresh_in(cur)  # one write path: trends cells and signal rows follow the save
        return Saved(event_id, event_ref, created=True)

    return db.write(work)


# ---------------------------------------------------------------------------------------------- cases
@dataclass
class CaseFilter:
    """What the Cases list is narrowed to."""

    status: str = "all"  # all | open | closed
    outcomes: Sequence[str] = ()
    terms: Sequence[str] = ()
    injector: str | None = None
    onset_from: date | None = None
    onset_to: date | None = None  # inclusive


def list_cases(db: Database, user: User, f: CaseFilter | None = None, *, limit: int = 500) -> pd.DataFrame:
    """Return the current version of every case this user may see, newest onset first."""
    require(user, "case.view_own")
    f = f or CaseFilter()
    if f.status not in ("all", "open", "closed"):
        raise ValueError(f"unknown status {f.status!r}")
    return db.query("practice_list_cases", {
        **_scope(user), "status": f.status, "outcomes": list(f.outcomes), "terms": list(f.terms),
        "injector_filter": f.injector,
        "onset_from": datetime.combine(f.onset_from, time()) if f.onset_from else None,
        "onset_to": datetime.combine(f.onset_to + timedelta(days=1), time()) if f.onset_to else None,
        "limit": limit,
    })


def case_versions(db: Database, user: User, event_id: int) -> pd.DataFrame:
    """Return every version of a case (oldest first); empty when the user may not see it."""
    require(user, "case.view_own")
    return db.query("practice_case_versions", {**_scope(user), "event_id": int(event_id)})


def latest_version(versions: pd.DataFrame) -> dict[str, Any]:
    """Return the last row of case_versions as a dict, missing values as None."""
    return {k: (None if _isna(v) else v) for k, v in versions.iloc[-1].to_dict().items()}


def case_treatment(db: Database, user: User, event_id: int) -> tuple[dict[str, Any], pd.DataFrame] | None:
    """Return the treatment a visible case follows (with its areas), else None."""
    versions = case_versions(db, user, event_id)
    if versions.empty:
        return None
    return _treatment_detail(db, {**_scope(user), "see_all": True}, int(versions.iloc[0]["treatment_id"]))


def _display(v: Any) -> str:
    if v is None or _isna(v):
        return "—"
    if isinstance(v, datetime | pd.Timestamp):
        return f"{v:%d %b %Y %H:%M}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    text = " ".join(str(v).split())
    return text if len(text) <= 80 else text[:79] + "…"


OUTCOME_NAMES = {"recovered": "Recovered", "recovering": "Recovering", "not_recovered": "Not recovered",
                 "recovered_with_sequelae": "Recovered with lasting effects", "fatal": "Fatal",
                 "unknown": "Unknown yet"}
SIDE_LABELS = {"B": "Both", "L": "Left", "R": "Right", "C": "Central"}


def version_changes(versions: pd.DataFrame, labels: dict[str, dict[str, str]] | None = None) -> list[str]:
    """Return, per version, a readable list of the fields that changed from the version before.

    `labels` maps a field to {code: readable name} (e.g. term codes to plain names).
    """
    names: dict[str, dict[str, str]] = {"outcome": OUTCOME_NAMES, "side": SIDE_LABELS,
                                        "causality": {c: c.capitalize() for c in CAUSALITY},
                                        "seriousness": {c: c.replace("_", " ") for c in SERIOUSNESS}}
    names.update(labels or {})
    out: list[str] = []
    previous: dict[str, Any] | None = None
    for row in versions.to_dict("records"):
        if previous is None:
            out.append("first report")
        else:
            diffs = []
            for col, label in VERSION_FIELDS.items():
                a, b = previous.get(col), row.get(col)
                if _display(a) != _display(b):
                    table = names.get(col, {})
                    before = table.get(a, _display(a)) if isinstance(a, str) else _display(a)
                    after = table.get(b, _display(b)) if isinstance(b, str) else _display(b)
                    diffs.append(f"{label}: {before} → {after}")
            out.append("; ".join(diffs) if diffs else "no field changed (note only)")
        previous = row
    return out


def add_follow_up(db: Database, user: User, event_id: int, d: FollowUpDraft, *, client_token: str) -> Saved:
    """Append a new version (previous + 1) carrying the follow-up; earlier versions stay untouched."""
    require(user, "case.follow_up")
    versions = case_versions(db, user, event_id)
    if versions.empty:
        raise PermissionError("this case is not one you may follow up")
    actor = user.username

    def work(cur: duckdb.DuckDBPyConnection) -> Saved:
        row = db.execute_named(cur, "practice_event_by_token", {"client_token": client_token}).fetchone()
        if row is not None:
            return Saved(int(row[0]), str(row[1]), created=False, version=int(row[2]))
        latest = db.execute_named(cur, "practice_case_versions", {
            "see_all": True, "username": actor, "injector": None, "event_id": int(event_id)}).df().iloc[-1].to_dict()
        latest = {k: (None if _isna(v) else v) for k, v in latest.items()}
        version = int(db.execute_named(cur, "practice_next_event_version", {"event_id": int(event_id)}).fetchone()[0])
        now = _now()
        db.execute_named(cur, "practice_insert_event_version", {
            "event_id": int(event_id), "version": version, "term": latest["term"], "onset_at": latest["onset_at"],
            "severity": int(latest["severity"]), "serious": bool(latest["serious"]),
            "seriousness": latest["seriousness"], "outcome": d.outcome, "resolved_at": d.resolved_at,
            "side": latest["side"], "area": latest["area"], "causality": d.causality,
            "action_taken": latest["action_taken"], "reported_by": latest["reported_by"],
            "reported_at": latest["reported_at"], "narrative": latest["narrative"], "changed_at": now,
            "changed_by": actor, "change_note": _clean(d.note), "client_token": client_token,
        })
        db.audit(cur, actor, "event.follow_up", "event", str(event_id), json.dumps({
            "event_ref": latest["event_ref"], "version": version, "outcome": d.outcome,
            "causality": d.causality, "resolved_at": d.resolved_at.isoformat() if d.resolved_at else None}))
        refresh_in(cur)  # one write path: trends cells and signal rows follow the save
        return Saved(int(event_id), str(latest["event_ref"]), created=True, version=version)

    return db.write(work)


def new_event(db: Database, cur: duckdb.DuckDBPyConnection, clinic_id: int, treatment_id: int | None,
              now: datetime) -> tuple[int, str]:
    """Insert a new event row (its version 1 is the caller's) with the clinic's next reference E-YYYYMMDD-NNNN, inside
    the caller's write transaction; returns (event_id, event_ref)."""
    prefix = f"E-{now:%Y%m%d}-"
    number = db.execute_named(cur, "practice_next_event_number", {"clinic_id": clinic_id, "prefix": prefix}).fetchone()[0]
    event_ref = f"{prefix}{int(number):04d}"
    event_id = int(db.execute_named(cur, "practice_insert_event", {
        "clinic_id": clinic_id, "event_ref": event_ref, "treatment_id": treatment_id, "created_at": now,
    }).fetchone()[0])
    return event_id, event_ref
