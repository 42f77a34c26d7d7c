"""A returning patient's record as the Log treatment page needs it: the last treatments, what followed
them, "same as last time", and the defaults the page can fill in (clinic, recent lots, prior toxin).

Details (areas, units, events) come only from treatments this user may see; the date and product of
every treatment of the patient still count for "Other toxin in last 90 days", a safety fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from dashboard.core.authz import User, read_scope, require
from dashboard.core.db import Database

PRIOR_TOXIN_DAYS = 90
RECENT_LOT_DAYS = 56  # "the lots of the chosen product used in the last weeks"


@dataclass(frozen=True)
class AreaDose:
    """One treated area of a past treatment."""

    area: str
    name: str
    side: str | None
    units: float
    points: int | None
    volume_ml: float | None
    depth: str | None


@dataclass(frozen=True)
class FollowingEvent:
    """An adverse event that followed a past treatment."""

    event_ref: str
    term: str
    name: str
    days_after: int
    severity: int
    outcome: str
    area: str | None


@dataclass(frozen=True)
class PastTreatment:
    """One past treatment of the patient (areas and events empty when the user may not see them)."""

    treatment_id: int
    ref: str
    treated_at: datetime
    product: str
    brand: str
    clinic: str
    injector: str
    visible: bool
    lot_number: str | None = None
    vial_units: int | None = None
    diluent_ml: float | None = None
    areas: tuple[AreaDose, ...] = ()
    events: tuple[FollowingEvent, ...] = field(default=())

    def summary(self, area_names: dict[str, str] | None = None) -> str:
        """One line: '12 Aug 2026 · Xeomin · Glabella 20 U, Forehead lines 10 U'."""
        parts = [f"{self.treated_at:%d %b %Y}", self.brand]
        if self.areas:
            parts.append(", ".join(f"{a.name.split(' (')[0]} {a.units:g} U" for a in self.areas))
        elif not self.visible:
            parts.append(f"by {self.injector}")
        return " · ".join(parts)

    def event_lines(self) -> list[str]:
        """'Drooping upper eyelid 9 days after the last Glabella treatment (grade 2, recovered)'."""
        out = []
        for e in self.events:
            where = next((a.name.split(" (")[0] for a in self.areas if a.area == e.area), None)
            after = f"{e.days_after} day{'s' if e.days_after != 1 else ''} after"
            target = f"the {where} treatment" if where else "this treatment"
            out.append(f"{e.name} {after} {target} (grade {e.severity}, {e.outcome.replace('_', ' ')})")
        return out


def _none(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT else v


def patient_history(db: Database, user: User, patient_ref: str, *, limit: int = 5) -> list[PastTreatment]:
    """Return the patient's last treatments, newest first, with areas and following events where visible."""
    require(user, "treatment.log")
    ref = (patient_ref or "").strip()
    if not ref:
        return []
    rows = db.query("practice_patient_history", {**read_scope(user), "patient_ref": ref, "limit": limit})
    if rows.empty:
        return []
    shown = [int(r.treatment_id) for r in rows.itertuples() if bool(r.visible)]
    injections = db.query("practice_treatments_injections", {"treatment_ids": shown}) if shown else pd.DataFrame()
    events = db.query("practice_treatments_events", {"treatment_ids": shown}) if shown else pd.DataFrame()
    out = []
    for r in rows.itertuples():
        tid = int(r.treatment_id)
        areas: tuple[AreaDose, ...] = ()
        evs: tuple[FollowingEvent, ...] = ()
        if bool(r.visible) and not injections.empty:
            areas = tuple(AreaDose(j.area, j.area_name, _none(j.side), float(j.units),
                                   None if _none(j.points) is None else int(j.points), _none(j.volume_ml),
                                   _none(j.depth))
                          for j in injections[injections["treatment_id"] == tid].itertuples())
        if bool(r.visible) and not events.empty:
            evs = tuple(FollowingEvent(e.event_ref, e.term, e.plain_name,
                                       max(0, (e.onset_at - r.treated_at).days), int(e.severity), e.outcome,
                                       _none(e.area))
                        for e in events[events["treatment_id"] == tid].itertuples())
        out.append(PastTreatment(
            tid, r.treatment_ref, r.treated_at.to_pydatetime() if hasattr(r.treated_at, "to_pydatetime")
            else r.treated_at, r.product, r.brand, r.clinic, r.injector, bool(r.visible),
            _none(r.lot_number), None if _none(r.vial_units) is None else int(r.vial_units),
            _none(r.diluent_ml), areas, evs))
    return out


def last_visible(history: list[PastTreatment]) -> PastTreatment | None:
    """The most recent treatment whose details this user may see (the 'same as last time' source)."""
    return next((t for t in history if t.visible and t.areas), None)


def prior_toxin(history: list[PastTreatment], when: datetime, *, days: int = PRIOR_TOXIN_DAYS
                ) -> PastTreatment | None:
    """The most recent treatment in the `days` before `when` (any injector), or None."""
    for t in history:
        if timedelta(0) < when - t.treated_at <= timedelta(days=days):
            return t
    return None


def usual_clinic(db: Database, user: User, injector_name: str | None) -> str | None:
    """The clinic where this injector gave most of their recent treatments, or None."""
    require(user, "treatment.log")
    if not injector_name:
        return None
    return db.query_scalar("practice_usual_clinic", {"injector_name": injector_name})


def recent_lots(db: Database, user: User, product: str, now: datetime, *, days: int = RECENT_LOT_DAYS) -> list[str]:
    """Lots of the product used in the last `days` days, most recent first."""
    require(user, "treatment.log")
    return [r[0] for r in db.query_rows("practice_recent_lots", {"product": product,
                                                                  "since": now - timedelta(days=days)})]


def starting_point(t: PastTreatment) -> dict[str, Any]:
    """The Log treatment form values ("lt_" session keys) that repeat treatment `t`; the lot is left out."""
    merged: dict[str, AreaDose] = {}
    for a in t.areas:  # an area stored once per side comes back as one area, both sides
        if a.area in merged:
            b = merged[a.area]
            a = AreaDose(a.area, a.name, "B", b.units + a.units,
                         None if a.points is None or b.points is None else a.points + b.points,
                         None if a.volume_ml is None or b.volume_ml is None else a.volume_ml + b.volume_ml,
                         a.depth or b.depth)
        merged[a.area] = a
    values: dict[str, Any] = {"lt_product": t.product, "lt_areas": list(merged), "lt_clinic_pick": t.clinic}
    if t.vial_units is not None:
        values["lt_vial"] = t.vial_units
    if t.diluent_ml is not None:
        values["lt_diluent"] = float(t.diluent_ml)
    for a in merged.values():
        values[f"lt_units_{a.area}"] = float(a.units)
        if a.points is not None:
            values[f"lt_points_{a.area}"] = int(a.points)
        if a.side:
            values[f"lt_side_{a.area}"] = a.side
        if a.volume_ml is not None:
            values[f"lt_volume_{a.area}"] = float(a.volume_ml)
        if a.depth:
            values[f"lt_depth_{a.area}"] = a.depth
    return values
