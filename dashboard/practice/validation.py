"""Pure checks for the practitioner forms: field errors (field -> message) and warnings to confirm.

Nothing here touches the database or streamlit: the pages build a draft from their widgets, the
repository supplies the clinical reference as plain data, and these functions say what is wrong.
Errors block a save; warnings never do, but each must be confirmed and is recorded with the treatment.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dashboard.core.config import CAUSALITY, DEPTHS, OUTCOMES, SERIOUSNESS, SEXES, SIDES

MAX_TEXT = 200
MAX_OVERRIDE = 500
MAX_ACTION = 500
MAX_NARRATIVE = 4000
MAX_NOTE = 1000
MAX_ONSET_DAYS = 365
FUTURE_TOLERANCE = timedelta(minutes=5)
DEFAULT_USE_WITHIN_H = 24
# Only unit systems at least this far apart are told apart: Dysport/Azzalure (2.5x BOTOX units). The 2:1
# Daxxify ratio is a label-dose ratio, not a potency equivalence (domain.md 1.2), so it is not used.
MISMATCH_RATIO = 2.25
CONTRAINDICATIONS = ("skin_infection_at_site", "pregnant_or_breastfeeding", "neuromuscular_disorder")
SIDE_NAMES = {"B": "Both", "L": "Left", "R": "Right", "C": "Midline"}


# ---------------------------------------------------------------------------------------------- reference
@dataclass(frozen=True)
class ProductRef:
    """One product as the checks need it."""

    code: str
    brand: str
    factor_vs_ona: float
    use_within_h: int | None = None


@dataclass(frozen=True)
class DoseRange:
    """The usual total dose of one product in one area."""

    lo: float
    hi: float
    label_total: float | None = None


@dataclass(frozen=True)
class Reference:
    """The clinical reference the checks compare a treatment with."""

    products: Mapping[str, ProductRef]
    area_names: Mapping[str, str]
    doses: Mapping[tuple[str, str], DoseRange]
    risk_labels: Mapping[str, str] = field(default_factory=dict)
    risk_explanations: Mapping[str, str] = field(default_factory=dict)
    terms: frozenset[str] = frozenset()


def describe_range(r: DoseRange) -> str:
    """Return '10–40 U (label 20 U)' style text for a usual range."""
    span = f"{_num(r.lo)} U" if r.lo == r.hi else f"{_num(r.lo)}–{_num(r.hi)} U"
    if r.label_total is not None and not (r.lo == r.hi == r.label_total):
        span += f" (label {_num(r.label_total)} U)"
    return span


def _num(x: float) -> str:
    return f"{x:g}"


# ---------------------------------------------------------------------------------------------- treatment
@dataclass
class AreaEntry:
    """One treated area of a treatment as typed."""

    area: str
    units: float | None
    points: int | None = None
    side: str = "B"
    volume_ml: float | None = None
    depth: str | None = None


@dataclass
class TreatmentDraft:
    """A treatment as typed on the Log treatment page."""

    patient_ref: str
    clinic: str
    injector: str
    treated_at: datetime | None
    product: str | None
    areas: Sequence[AreaEntry]
    lot_number: str | None = None
    vial_units: int | None = None
    diluent_ml: float | None = None
    reconstituted_at: datetime | None = None
    reconstitution_incomplete: bool = False  # a date without a time, or a time without a date
    risk_factors: frozenset[str] = frozenset()
    birth_year: int | None = None
    sex: str | None = None
    override_reason: str | None = None


@dataclass(frozen=True)
class EntryWarning:
    """A warning the practitioner must confirm before saving; `code` is what gets recorded."""

    code: str
    message: str

    @property
    def key(self) -> str:
        """Return a widget key that changes whenever the message changes (so it must be re-confirmed)."""
        digest = hashlib.sha1(self.message.encode("utf-8")).hexdigest()[:10]
        return f"{self.code}:{digest}"


def _text_error(value: str | None, label: str, *, required: bool, limit: int = MAX_TEXT) -> str | None:
    v = (value or "").strip()
    if required and not v:
        return f"Enter the {label}."
    if len(v) > limit:
        return f"The {label} is {len(v):,} characters long; at most {limit:,} are allowed."
    return None


def validate_treatment(d: TreatmentDraft, ref: Reference, now: datetime) -> dict[str, str]:
    """Return field -> message for every value that cannot be saved (empty when the draft is valid)."""
    errors: dict[str, str] = {}

    def put(key: str, msg: str | None) -> None:
        if msg:
            errors[key] = msg

    put("patient_ref", _text_error(d.patient_ref, "patient reference", required=True))
    put("clinic", _text_error(d.clinic, "clinic", required=True))
    put("injector", _text_error(d.injector, "injector", required=True))
    put("lot_number", _text_error(d.lot_number, "lot number", required=False))
    put("override_reason", _text_error(d.override_reason, "reason", required=False, limit=MAX_OVERRIDE))
    if d.treated_at is None:
        errors["treated_at"] = "Enter the date and time of the treatment."
    elif d.treated_at > now + FUTURE_TOLERANCE:
        errors["treated_at"] = f"The treatment time {d.treated_at:%d %b %Y %H:%M} is in the future."
    if not d.product:
        errors["product"] = "Choose the product."
    elif d.product not in ref.products:
        errors["product"] = f"Unknown product code {d.product!r}."
    if d.birth_year is not None and not (1900 <= d.birth_year <= now.year):
        errors["birth_year"] = f"Birth year must be between 1900 and {now.year}."
    if d.sex is not None and d.sex not in SEXES:
        errors["sex"] = "Sex must be F, M, X or U."
    if d.vial_units is not None and not (1 <= d.vial_units <= 1000):
        errors["vial_units"] = "Vial size must be between 1 and 1,000 units."
    if d.diluent_ml is not None and not (0 < d.diluent_ml <= 20):
        errors["diluent_ml"] = "Diluent must be more than 0 and at most 20 mL."
    if d.reconstitution_incomplete:
        errors["reconstituted_at"] = "Enter both the date and the time of reconstitution (or neither)."
    elif d.reconstituted_at is not None and d.treated_at is not None and d.reconstituted_at > d.treated_at:
        errors["reconstituted_at"] = "The vial cannot be reconstituted after the treatment time."
    unknown_risks = set(d.risk_factors) - set(ref.risk_labels) if ref.risk_labels else set()
    if unknown_risks:
        errors["risk_factors"] = f"Unknown risk factor(s): {', '.join(sorted(unknown_risks))}."
    if not d.areas:
        errors["areas"] = "Pick at least one treated area (on the face chart or in the list)."
    for a in d.areas:
        name = ref.area_names.get(a.area, a.area)
        if a.area not in ref.area_names:
            errors[f"area:{a.area}"] = f"Unknown area code {a.area!r}."
        if a.units is None:
            errors[f"units:{a.area}"] = f"Enter the units injected in {name}."
        elif not (0 < a.units <= 1000):
            errors[f"units:{a.area}"] = f"Units in {name} must be more than 0 and at most 1,000."
        if a.points is not None and not (1 <= a.points <= 200):
            errors[f"points:{a.area}"] = f"Points in {name} must be between 1 and 200."
        if a.volume_ml is not None and not (0 < a.volume_ml <= 50):
            errors[f"volume:{a.area}"] = f"Volume in {name} must be more than 0 and at most 50 mL."
        if a.side not in SIDES:
            errors[f"side:{a.area}"] = f"Side in {name} must be one of {', '.join(SIDES)}."
        if a.depth is not None and a.depth not in DEPTHS:
            errors[f"depth:{a.area}"] = f"Unknown depth {a.depth!r} in {name}."
    return errors


def _anchor(r: DoseRange) -> float:
    """The typical dose of a range: the label dose when there is one, else the geometric midpoint."""
    return r.label_total if r.label_total else math.sqrt(r.lo * r.hi)


def _mismatch(units: float, area: str, product: str, ref: Reference) -> tuple[ProductRef, DoseRange] | None:
    """Return the product whose units these look like: inside its range (this product's range scaled by
    factor_vs_ona) and nearer its typical dose than this product's typical dose."""
    own = ref.products[product]
    base = ref.doses.get((area, product))
    if base is None:
        return None
    own_distance = abs(math.log(units / _anchor(base)))
    best: tuple[float, ProductRef, DoseRange] | None = None
    for other in ref.products.values():
        ratio = other.factor_vs_ona / own.factor_vs_ona
        if max(ratio, 1 / ratio) < MISMATCH_RATIO:
            continue
        scaled = DoseRange(base.lo * ratio, base.hi * ratio,
                           base.label_total * ratio if base.label_total is not None else None)
        distance = abs(math.log(units / _anchor(scaled)))
        if scaled.lo <= units <= scaled.hi and distance < own_distance and (best is None or distance < best[0]):
            best = (distance, other, scaled)
    return (best[1], best[2]) if best else None


def treatment_warnings(d: TreatmentDraft, ref: Reference) -> list[EntryWarning]:
    """Return the warnings to confirm: dose outside range, unit mismatch, old reconstitution, contraindication."""
    out: list[EntryWarning] = []
    product = ref.products.get(d.product or "")
    if product is not None:
        for a in d.areas:
            if a.units is None or not (0 < a.units <= 1000):
                continue
            r = ref.doses.get((a.area, product.code))
            if r is None or r.lo <= a.units <= r.hi:
                continue
            name = ref.area_names.get(a.area, a.area)
            other = _mismatch(a.units, a.area, product.code, ref)
            if other is not None:
                o, scaled = other
                factor = o.factor_vs_ona / product.factor_vs_ona
                out.append(EntryWarning(
                    f"unit_mismatch:{a.area}",
                    f"{name}: {_num(a.units)} U looks like a {o.brand} dose (usual {describe_range(scaled)}), "
                    f"not a {product.brand} dose (usual {describe_range(r)}). {o.brand} units are about "
                    f"{_num(round(factor, 2))}× {product.brand} units: check the product and the units.",
                ))
            else:
                where = "above" if a.units > r.hi else "below"
                out.append(EntryWarning(
                    f"dose_outside_range:{a.area}",
                    f"{name}: {_num(a.units)} U is {where} the usual {describe_range(r)} for {product.brand}.",
                ))
        if d.reconstituted_at is not None and d.treated_at is not None and d.reconstituted_at <= d.treated_at:
            limit = product.use_within_h or DEFAULT_USE_WITHIN_H
            hours = (d.treated_at - d.reconstituted_at).total_seconds() / 3600
            if hours > limit:
                out.append(EntryWarning(
                    "reconstitution_over_limit",
                    f"The vial was reconstituted {hours:.0f} h before the treatment; "
                    f"{product.brand} should be used within {limit} h of reconstitution.",
                ))
    for code in CONTRAINDICATIONS:
        if code in d.risk_factors:
            label = ref.risk_labels.get(code, code)
            why = ref.risk_explanations.get(code, "")
            out.append(EntryWarning(f"contraindication:{code}",
                                f"Contraindication ticked: {label}. {why}".strip()))
    return out


def describe_warning_code(code: str, area_names: Mapping[str, str], risk_labels: Mapping[str, str]) -> str:
    """Return a readable name for a recorded warning code such as 'unit_mismatch:glabella'."""
    kind, _, what = code.partition(":")
    if kind == "dose_outside_range":
        return f"dose outside the usual range ({area_names.get(what, what)})"
    if kind == "unit_mismatch":
        return f"units look like another product's ({area_names.get(what, what)})"
    if kind == "reconstitution_over_limit":
        return "vial used later than the label allows after reconstitution"
    if kind == "contraindication":
        return f"contraindication: {risk_labels.get(what, what)}"
    return code


def unconfirmed(warnings: Sequence[EntryWarning], confirmed_keys: set[str]) -> list[EntryWarning]:
    """Return the warnings whose current message has not been confirmed."""
    return [w for w in warnings if w.key not in confirmed_keys]


# ---------------------------------------------------------------------------------------------- events
@dataclass
class EventDraft:
    """An adverse event as typed on the Report adverse event page."""

    treatment_id: int | None
    term: str | None
    onset_at: datetime | None
    severity: int | None
    serious: bool = False
    seriousness: str | None = None
    outcome: str = "unknown"
    resolved_at: datetime | None = None
    resolution_incomplete: bool = False
    side: str | None = None
    area: str | None = None
    causality: str | None = None
    action_taken: str | None = None
    reported_by: str | None = None
    narrative: str | None = None


def _resolution_errors(resolved_at: datetime | None, onset_at: datetime | None, now: datetime) -> str | None:
    if resolved_at is None:
        return None
    if onset_at is not None and resolved_at < onset_at:
        return f"Resolution ({resolved_at:%d %b %Y %H:%M}) cannot be before the onset ({onset_at:%d %b %Y %H:%M})."
    if resolved_at > now + FUTURE_TOLERANCE:
        return "The resolution date is in the future."
    return None


def validate_event(d: EventDraft, treated_at: datetime | None, terms: frozenset[str], now: datetime) -> dict[str, str]:
    """Return field -> message for an event report (spec section 1.3 rules)."""
    errors: dict[str, str] = {}
    if d.treatment_id is None:
        errors["treatment"] = "Choose the treatment this event follows."
    if not d.term:
        errors["term"] = "Choose what happened (the event term)."
    elif terms and d.term not in terms:
        errors["term"] = f"Unknown event term {d.term!r}."
    if d.onset_at is None:
        errors["onset_at"] = "Enter the date and time the event began."
    elif d.onset_at > now + FUTURE_TOLERANCE:
        errors["onset_at"] = "The onset is in the future."
    elif treated_at is not None and d.onset_at < treated_at:
        errors["onset_at"] = (f"The onset ({d.onset_at:%d %b %Y %H:%M}) cannot be before the treatment "
                              f"({treated_at:%d %b %Y %H:%M}).")
    elif treated_at is not None and d.onset_at > treated_at + timedelta(days=MAX_ONSET_DAYS):
        errors["onset_at"] = (f"The onset is more than {MAX_ONSET_DAYS} days after the treatment "
                              f"({treated_at:%d %b %Y}); report it against a later treatment.")
    if d.severity is None:
        errors["severity"] = "Choose the severity grade (1 to 5)."
    elif d.severity not in (1, 2, 3, 4, 5):
        errors["severity"] = "Severity must be a grade from 1 to 5."
    if d.serious and not d.seriousness:
        errors["seriousness"] = "A serious event needs its seriousness criterion."
    elif d.seriousness and d.seriousness not in SERIOUSNESS:
        errors["seriousness"] = f"Unknown seriousness criterion {d.seriousness!r}."
    if d.outcome not in OUTCOMES:
        errors["outcome"] = f"Unknown outcome {d.outcome!r}."
    if d.resolution_incomplete:
        errors["resolved_at"] = "Enter both the date and the time of resolution (or neither)."
    else:
        msg = _resolution_errors(d.resolved_at, d.onset_at, now)
        if msg:
            errors["resolved_at"] = msg
    if d.side is not None and d.side not in SIDES:
        errors["side"] = "Side must be L, R, B or C."
    if d.causality is not None and d.causality not in CAUSALITY:
        errors["causality"] = f"Unknown causality {d.causality!r}."
    msg = _text_error(d.action_taken, "action taken", required=False, limit=MAX_ACTION)
    if msg:
        errors["action_taken"] = msg
    msg = _text_error(d.reported_by, "reporter name", required=False)
    if msg:
        errors["reported_by"] = msg
    msg = _text_error(d.narrative, "narrative", required=d.term == "other", limit=MAX_NARRATIVE)
    if msg:
        errors["narrative"] = ("Describe the event in the narrative: 'Other' needs it." if d.term == "other"
                               and not (d.narrative or "").strip() else msg)
    return errors


# ---------------------------------------------------------------------------------------------- follow-up
@dataclass
class FollowUpDraft:
    """A follow-up of a case as typed on the Cases page."""

    outcome: str
    resolved_at: datetime | None
    causality: str | None
    note: str | None
    resolution_incomplete: bool = False


def validate_follow_up(d: FollowUpDraft, current: Mapping[str, object], now: datetime) -> dict[str, str]:
    """Return field -> message for a follow-up against the case's current version."""
    errors: dict[str, str] = {}
    if d.outcome not in OUTCOMES:
        errors["outcome"] = f"Unknown outcome {d.outcome!r}."
    if d.causality is not None and d.causality not in CAUSALITY:
        errors["causality"] = f"Unknown causality {d.causality!r}."
    onset = current.get("onset_at")
    if d.resolution_incomplete:
        errors["resolved_at"] = "Enter both the date and the time of resolution (or neither)."
    else:
        msg = _resolution_errors(d.resolved_at, onset if isinstance(onset, datetime) else None, now)
        if msg:
            errors["resolved_at"] = msg
    msg = _text_error(d.note, "note", required=False, limit=MAX_NOTE)
    if msg:
        errors["note"] = msg
    unchanged = (d.outcome == current.get("outcome") and d.resolved_at == current.get("resolved_at")
                 and d.causality == current.get("causality"))
    if not errors and unchanged and not (d.note or "").strip():
        errors["note"] = "Nothing changed: update the outcome, resolution or causality, or add a note."
    return errors
