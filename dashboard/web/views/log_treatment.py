"""Log treatment: patient, session, vial, risk factors and treated areas, picked on the face chart.

Nothing typed is lost: every widget keeps its value in session state, a failed save only adds messages
next to the fields, and a save is idempotent through a client token kept for this form instance.
"""

from datetime import datetime, timedelta

import duckdb
import streamlit as st

from dashboard.charts.face import area_from_selection, face_figure, sides_from_selection
from dashboard.core.config import DEPTHS, RISK_FACTORS, SEXES, SIDES
from dashboard.practice import history as hist
from dashboard.practice import repository as repo
from dashboard.practice.validation import (
    SIDE_NAMES,
    AreaEntry,
    TreatmentDraft,
    describe_range,
    treatment_warnings,
    unconfirmed,
    validate_treatment,
)
from dashboard.web.guard import require_permission
from dashboard.web.navigation import switch_to
from dashboard.web.ui import field_error, get_db

user = require_permission("treatment.log")
db = get_db()
ss = st.session_state
KEEP = "session"  # typed values survive a visit to another page
NEW = "__new__"
SEX_NAMES = {"F": "Female", "M": "Male", "X": "Other / diverse", "U": "Unknown"}
# where each field's message is: (section anchor, field name as the page shows it) for the summary at the top
FIELD_PLACES = {
    "patient_ref": ("patient-and-session", "Patient"), "birth_year": ("patient-and-session", "Birth year"),
    "clinic": ("patient-and-session", "Clinic"), "injector": ("patient-and-session", "Injector"),
    "treated_at": ("patient-and-session", "Treatment date and time"), "product": ("product-and-vial", "Product"),
    "lot_number": ("product-and-vial", "Lot / batch"), "vial_units": ("product-and-vial", "Vial size"),
    "diluent_ml": ("product-and-vial", "Diluent"), "reconstituted_at": ("product-and-vial", "Reconstituted on"),
    "areas": ("treated-areas", "Areas treated"), "override_reason": ("check-before-saving", "Reason"),
}
FIELD_WORDS = {"units": "Units", "points": "Points", "volume": "Volume", "side": "Side", "depth": "Depth"}


@st.cache_data(ttl=600, show_spinner=False)
def _reference():
    return repo.reference(db, user), repo.products(db, user), repo.areas(db, user), repo.risk_factors(db, user)


ref, products, areas_df, risks = _reference()
brand = dict(zip(products["code"], products["brand"], strict=True))
area_names = dict(zip(areas_df["code"], areas_df["name"], strict=True))
area_points = {r.code: (r.points_lo, r.points_hi) for r in areas_df.itertuples()}


def _pick(prefix: str) -> str:
    """The chosen or typed value of a picker that also offers 'New …' (a name typed into the box counts)."""
    choice = ss.get(f"{prefix}_pick")
    if choice == NEW:
        return (ss.get(f"{prefix}_new") or "").strip()
    return (choice or "").strip()


def _draft() -> TreatmentDraft:
    treated_at, _ = repo.combine(ss.get("lt_date"), ss.get("lt_time"))
    recon, recon_partial = repo.combine(ss.get("lt_recon_date"), ss.get("lt_recon_time"))
    vial = ss.get("lt_vial")
    return TreatmentDraft(
        patient_ref=_pick("lt_patient"), clinic=_pick("lt_clinic"), injector=_pick("lt_injector"),
        treated_at=treated_at, product=ss.get("lt_product"), lot_number=_pick("lt_lot") or None,
        vial_units=int(vial) if vial is not None else None, diluent_ml=ss.get("lt_diluent"),
        reconstituted_at=recon, reconstitution_incomplete=recon_partial,
        risk_factors=frozenset(c for c in RISK_FACTORS if ss.get(f"lt_risk_{c}")),
        birth_year=ss.get("lt_birth_year"), sex=ss.get("lt_sex"),
        override_reason=ss.get("lt_reason") or None,
        areas=[AreaEntry(a, ss.get(f"lt_units_{a}"), ss.get(f"lt_points_{a}"), ss.get(f"lt_side_{a}") or "B",
                         ss.get(f"lt_volume_{a}"), ss.get(f"lt_depth_{a}")) for a in ss.get("lt_areas", [])],
    )


def _reset() -> None:
    for key in [k for k in ss if str(k).startswith("lt_")]:
        del ss[key]
    ss["lt_token"] = repo.new_token()


def _on_face_select() -> None:
    """A tap on an area adds it; a tap on one side's injection point adds that side (both sides: 'Both')."""
    chosen = list(ss.get("lt_areas", []))
    event = ss.get("lt_face")
    sides = sides_from_selection(event)
    for code in area_from_selection(event):
        if code not in area_names:
            continue
        if code not in chosen:
            chosen.append(code)
            if code in sides:
                ss[f"lt_side_{code}"] = sides[code]
        elif code in sides and ss.get(f"lt_side_{code}") in ("L", "R") and ss[f"lt_side_{code}"] != sides[code]:
            ss[f"lt_side_{code}"] = "B"
    ss["lt_areas"] = chosen


def _on_save() -> None:
    ss["lt_tried"] = True
    ss.pop("lt_notice", None)
    d = _draft()
    errors = validate_treatment(d, ref, datetime.now())
    warns = treatment_warnings(d, ref)
    missing = unconfirmed(warns, {w.key for w in warns if ss.get(f"lt_ok_{w.key}")})
    if errors or missing:
        parts = []
        if errors:
            parts.append(f"{len(errors)} field{'s' if len(errors) > 1 else ''} need{'' if len(errors) > 1 else 's'} "
                         "attention (marked in red above)")
        if missing:
            parts.append(f"{len(missing)} warning{'s' if len(missing) > 1 else ''} still to confirm")
        ss["lt_notice"] = "Not saved yet: " + " and ".join(parts) + ". Everything you typed is kept."
        return
    try:
        saved = repo.save_treatment(db, user, d, confirmed=[w.code for w in warns], client_token=ss["lt_token"])
    except duckdb.Error as exc:
        ss["lt_notice"] = f"Not saved: the database refused the record ({type(exc).__name__}). Nothing typed was lost."
        return
    ss["lt_saved"] = {
        "id": saved.id, "ref": saved.ref, "created": saved.created, "patient": d.patient_ref,
        "product": brand.get(d.product or "", d.product), "when": d.treated_at,
        "areas": [(area_names.get(a.area, a.area), a.units) for a in d.areas],
        "warnings": [w.message for w in warns],
    }
    ss["re_treatment"] = saved.id  # the Report adverse event page offers this treatment first


def _in_words(day) -> str:
    """'Thu 27 Nov 2026 · 8 days ago': the date spelled out, so a wrong month or year is seen at once."""
    if day is None:
        return ""
    delta = (datetime.now().date() - day).days
    when = ("today" if delta == 0 else "yesterday" if delta == 1 else f"{delta} days ago" if delta > 0
            else f"in {-delta} day{'s' if delta < -1 else ''} (in the future)")
    return f"{day:%a %d %b %Y} · {when}"


def _field_place(key: str) -> tuple[str, str]:
    if key in FIELD_PLACES:
        return FIELD_PLACES[key]
    what, _, area = key.partition(":")
    return "treated-areas", f"{FIELD_WORDS.get(what, what.capitalize())} in {area_names.get(area, area)}"


def _summary(errs: dict[str, str]) -> str:
    """The fields still to fix, each linked to its section (shown above the form as well as below it)."""
    links = [f"[{name}](#{anchor})" for anchor, name in (_field_place(k) for k in errs)]
    return "Not saved yet. Please check: " + ", ".join(links) + ". Everything you typed is kept."


def _start_from(treatment_id: int) -> None:
    """'Same as last time': copy the product, vial, areas, points, units, sides and depths of a past treatment."""
    past = next((t for t in hist.patient_history(db, user, _pick("lt_patient"), limit=5)
                 if t.treatment_id == treatment_id), None)
    if past is None:
        return
    for key in [k for k in ss if str(k).startswith(("lt_units_", "lt_points_", "lt_volume_", "lt_depth_",
                                                      "lt_side_"))]:
        del ss[key]
    ss.update(hist.starting_point(past))
    ss.pop("lt_lot_pick", None)
    ss["lt_started_from"] = past.ref


def _unset(key: str) -> dict:
    """Start a picker empty unless session state already holds its value (avoids Streamlit's double-default warning)."""
    return {} if ss.get(key) is not None else {"index": None}


ss.setdefault("lt_token", repo.new_token())
st.title("Log treatment")

saved = ss.get("lt_saved")
if saved:
    verb = "Saved" if saved["created"] else "Already saved"
    st.success(f"{verb}: treatment {saved['ref']} (id {saved['id']}).", icon=":material/check_circle:")
    lines = [f"Patient: {saved['patient']}", f"When: {saved['when']:%d %b %Y %H:%M}", f"Product: {saved['product']}"]
    lines += [f"Area: {name} — {units:g} U" for name, units in saved["areas"]]
    lines += [f"Confirmed warning: {m}" for m in saved["warnings"]]
    st.text("\n".join(lines))
    from dashboard.web.views._followup_parts import patient_link_for

    patient_link_for(db, user, saved["id"], key="lt_pl")  # hand the patient a self-report link and aftercare sheet
    b1, b2, _ = st.columns([2, 3, 3])
    b1.button("Log another treatment", type="primary", on_click=_reset, key="lt_again")
    if b2.button("Report an adverse event on it", key="lt_report", icon=":material/report:"):
        ss["re_treatment"] = saved["id"]
        switch_to("report-event")
    st.stop()

draft = _draft()
errors = validate_treatment(draft, ref, datetime.now()) if ss.get("lt_tried") else {}
if ss.get("lt_notice") and errors:
    st.error(_summary(errors), icon=":material/error:")
elif ss.get("lt_notice"):
    st.error(ss["lt_notice"], icon=":material/error:")

# ------------------------------------------------------------------------------------------- who and when
st.subheader("Patient and session", anchor="patient-and-session")
c1, c2, c3 = st.columns(3)
with c1:
    recent = repo.recent_patients(db, user)
    st.selectbox("Patient", [NEW, *recent], key="lt_patient_pick", persist_state=KEEP, **_unset("lt_patient_pick"),
                 format_func=lambda v: "New patient…" if v == NEW else v,
                 placeholder="Pick a recent patient or 'New patient…'",
                 help="The clinic's pseudonymous patient key, never a name or a national id.")
    if ss.get("lt_patient_pick") == NEW:
        st.text_input("New patient reference", key="lt_patient_new", persist_state=KEEP, max_chars=200, placeholder="e.g. P-0042")
    field_error(errors, "patient_ref")
    known = repo.patient_info(db, user, draft.patient_ref) if draft.patient_ref else None
    past = hist.patient_history(db, user, draft.patient_ref) if known is not None else []
    if known is not None and ss.get("lt_patient_pick") != NEW:
        st.caption(f"Known patient · born {known['birth_year'] or '—'} · sex {known['sex'] or '—'}")
    elif known is not None:
        st.caption("This reference already exists: the treatment is added to that patient (their stored birth "
                   "year and sex are kept).")
    else:
        b1, b2 = st.columns(2)
        b1.number_input("Birth year (optional)", key="lt_birth_year", persist_state=KEEP, value=None, step=1, format="%d")
        b2.selectbox("Sex (optional)", SEXES, key="lt_sex", persist_state=KEEP, **_unset("lt_sex"), format_func=SEX_NAMES.get, placeholder="—")
        field_error(errors, "birth_year")
with c2:
    clinics = repo.clinic_names(db, user)
    if len(clinics) == 1:
        ss.setdefault("lt_clinic_pick", clinics[0])
    elif ss.get("lt_clinic_pick") is None:
        # the patient's last clinic, else where this practitioner usually works
        usual = past[0].clinic if past else hist.usual_clinic(db, user, user.injector_name)
        if usual in clinics:
            ss["lt_clinic_pick"] = usual
    st.selectbox("Clinic", [*clinics, NEW], key="lt_clinic_pick", persist_state=KEEP, **_unset("lt_clinic_pick"),
                 format_func=lambda v: "New clinic…" if v == NEW else v, placeholder="Choose the clinic")
    if ss.get("lt_clinic_pick") == NEW:
        st.text_input("New clinic name", key="lt_clinic_new", persist_state=KEEP, max_chars=200)
    field_error(errors, "clinic")
    injectors = repo.injector_names(db, user)
    if user.injector_name and user.injector_name not in injectors:
        injectors = sorted([*injectors, user.injector_name])
    ss.setdefault("lt_injector_pick", user.injector_name)
    st.selectbox("Injector", [*injectors, NEW], key="lt_injector_pick", persist_state=KEEP, **_unset("lt_injector_pick"),
                 format_func=lambda v: "New injector…" if v == NEW else v, placeholder="Who injected")
    if ss.get("lt_injector_pick") == NEW:
        st.text_input("New injector name", key="lt_injector_new", persist_state=KEEP, max_chars=200)
    field_error(errors, "injector")
with c3:
    now = datetime.now()
    ss.setdefault("lt_date", now.date())
    ss.setdefault("lt_time", (now - timedelta(minutes=now.minute % 5)).time().replace(second=0, microsecond=0))
    st.date_input("Treatment date", key="lt_date", persist_state=KEEP, format="DD/MM/YYYY")
    st.time_input("Treatment time", key="lt_time", persist_state=KEEP, step=300)
    st.caption(_in_words(ss.get("lt_date")))  # a day typed without its month shows here at once
    field_error(errors, "treated_at")

# ------------------------------------------------------------------------------------------- last time
if past:
    last = hist.last_visible(past)
    recent_toxin = hist.prior_toxin(past, draft.treated_at or datetime.now())
    with st.container(border=True):
        st.markdown("**This patient's record**")
        for t in past[:3]:
            days = ((draft.treated_at or datetime.now()) - t.treated_at).days
            st.markdown(f"{t.summary()} · {days} days ago" + ("" if t.visible else " (another injector)"))
            for line in t.event_lines():
                st.warning(line, icon=":material/warning:")
        if last is not None:
            ss_from = ss.get("lt_started_from")
            k1, k2 = st.columns(2)
            k1.button("Same as last time" if ss_from != last.ref else "Started from last time: start again",
                      key="lt_same", on_click=_start_from, args=(last.treatment_id,), icon=":material/replay:",
                      help="Fills product, vial, areas, points and units as on "
                           f"{last.treated_at:%d %b %Y}; you choose the lot and adjust the doses.")
            if user.can("event.report") and k2.button("Report an event on it", key="lt_report_last",
                                                      icon=":material/report:"):
                ss["re_treatment"] = last.treatment_id
                switch_to("report-event")
        if recent_toxin is not None and ss.get("lt_prior_toxin_for") != draft.patient_ref:
            ss["lt_prior_toxin_for"] = draft.patient_ref  # suggested once per patient: an untick is kept
            ss["lt_risk_prior_toxin_90d"] = True
        if recent_toxin is not None:
            st.caption(f"'Other toxin in last 90 days' is ticked from the record: {recent_toxin.brand} on "
                       f"{recent_toxin.treated_at:%d %b %Y}. Untick it below if that is wrong.")

# ------------------------------------------------------------------------------------------- product and vial
st.subheader("Product and vial", anchor="product-and-vial")
c1, c2, c3, c4 = st.columns([3, 3, 2, 2])
with c1:
    st.selectbox("Product", list(products["code"]), key="lt_product", persist_state=KEEP, **_unset("lt_product"),
                 format_func=lambda c: f"{brand[c]} ({c})", placeholder="Choose the product")
    field_error(errors, "product")
product = ss.get("lt_product")
prow = products.set_index("code").loc[product] if product else None
with c2:
    recent_lots = hist.recent_lots(db, user, product, datetime.now()) if product else []
    lots = [*recent_lots, *(x for x in (repo.known_lots(db, user, product) if product else [])
                            if x not in recent_lots)]
    typed = ss.get("lt_lot_pick")
    if typed not in (None, NEW, *lots):
        lots.insert(0, typed)  # a new lot typed into the box stays an option
    st.selectbox("Lot / batch", [NEW, *lots], key="lt_lot_pick", persist_state=KEEP, **_unset("lt_lot_pick"),
                 format_func=lambda v: "New lot…" if v == NEW else v, accept_new_options=True,
                 placeholder="Type a new lot number or pick a recent one",
                 help="Recent lots of this product first; type a lot number that is not listed to add it.")
    if ss.get("lt_lot_pick") == NEW:
        st.text_input("New lot number", key="lt_lot_new", persist_state=KEEP, max_chars=200)
    field_error(errors, "lot_number")
with c3:
    st.number_input("Vial size (U)", key="lt_vial", persist_state=KEEP, value=None, step=1, format="%d",
                    help="Nominal units in the vial.")
with c4:
    st.number_input("Diluent (mL)", key="lt_diluent", persist_state=KEEP, value=None, step=0.1, format="%.2f",
                    help="Saline used to reconstitute the vial.")
if prow is not None:
    hint = f"Usual vials: {prow['vial_sizes'].replace(',', ', ')} U"
    if prow["label_ml_per_100u"] == prow["label_ml_per_100u"]:  # not NaN
        hint += f" · label dilution {prow['label_ml_per_100u']:g} mL per 100 U"
    if draft.vial_units and draft.diluent_ml and draft.diluent_ml > 0:
        hint += f" · this vial: {draft.vial_units / draft.diluent_ml / 10:.2f} U per 0.1 mL"
    st.caption(hint)
field_error(errors, "vial_units")
field_error(errors, "diluent_ml")
r1, r2, _ = st.columns(3)
r1.date_input("Reconstituted on (optional)", key="lt_recon_date", persist_state=KEEP, value=None, format="DD/MM/YYYY")
r2.time_input("Reconstituted at", key="lt_recon_time", persist_state=KEEP, value=None, step=300)
field_error(errors, "reconstituted_at")

# ------------------------------------------------------------------------------------------- areas
st.subheader("Treated areas", anchor="treated-areas")
chosen = list(ss.get("lt_areas", []))
# the chips above, full width: in the narrow column beside the face they scrolled sideways at 1,024 px
st.multiselect("Areas treated", list(area_names), key="lt_areas", persist_state=KEEP, format_func=area_names.get,
               placeholder="Choose areas, or tap them on the face")
field_error(errors, "areas")
left, right = st.columns([5, 4])
with left:
    hover = None
    if product:
        hover = {a: f"{area_names[a]}: usual {describe_range(ref.doses[(a, product)])} {brand[product]}"
                 for a in area_names if (a, product) in ref.doses}
    sides = {a: ss.get(f"lt_side_{a}") or "B" for a in chosen}
    st.plotly_chart(face_figure(selected=chosen, hover=hover, height=440, sides=sides,
                                muscles=bool(ss.get("lt_muscles"))),
                    key="lt_face", on_select=_on_face_select, selection_mode="points",
                    config={"displayModeBar": False},
                    theme=None)  # the figure carries its look (dashboard/charts/plain.py): drawn once per click
    st.caption("Tap an area's marker to add it, or one side's injection points for that side only. "
               "Red dotted zones: hover for what to avoid.")
    st.toggle("Show muscles", key="lt_muscles", persist_state=KEEP)
with right:
    if not chosen:
        st.info("No area yet: tap the face or choose from the list above.", icon=":material/touch_app:")
    for a in ss.get("lt_areas", []):
        name = area_names[a]
        with st.container(border=True):
            st.markdown(f"**{name}**")
            usual = ref.doses.get((a, product)) if product else None
            lo, hi = area_points.get(a, (None, None))
            bits = [f"Usual for {brand[product]}: {describe_range(usual)}" if usual else "Choose the product to see "
                    "the usual dose"]
            if lo == lo and lo is not None:  # not NaN
                bits.append(f"usual points {int(lo)}–{int(hi)}")
            st.caption(" · ".join(bits))
            # two fields a row: at 1,024 px five columns wrapped their labels ("Point s", "Volu me mL") and the
            # Side box showed "B"
            u, p = st.columns(2)
            u.number_input(f"Units in {name}", key=f"lt_units_{a}", persist_state=KEEP, value=None, step=0.5, format="%.1f")
            p.number_input("Points", key=f"lt_points_{a}", persist_state=KEEP, value=None, step=1, format="%d")
            ss.setdefault(f"lt_side_{a}", "B")
            s, dp = st.columns(2)
            s.selectbox("Side", SIDES, key=f"lt_side_{a}", persist_state=KEEP, format_func=SIDE_NAMES.get)
            v, _ = st.columns(2)
            v.number_input("Volume (mL)", key=f"lt_volume_{a}", persist_state=KEEP, value=None, step=0.05, format="%.2f")
            dp.selectbox("Depth", DEPTHS, key=f"lt_depth_{a}", persist_state=KEEP, **_unset(f"lt_depth_{a}"), placeholder="—")
            units = ss.get(f"lt_units_{a}")
            if units and draft.vial_units and draft.diluent_ml:
                st.caption(f"At this dilution {units:g} U is {units * draft.diluent_ml / draft.vial_units:.2f} mL.")
            for key in (f"units:{a}", f"points:{a}", f"volume:{a}", f"side:{a}", f"depth:{a}"):
                field_error(errors, key)

    total = sum(ss.get(f"lt_units_{a}") or 0 for a in ss.get("lt_areas", []))
    if ss.get("lt_areas"):
        st.markdown(f"**Total this session: {total:g} U**"
                    + (f" of a {draft.vial_units} U vial" if draft.vial_units else ""))

# ------------------------------------------------------------------------------------------- risk factors
st.subheader("Risk factors")
st.caption("Tick what applies to this session (hover or tap ⓘ for why it matters). ⚠ marks contraindications: "
           "they do not block the save; you confirm them below.")
cols = st.columns(2)
for i, r in enumerate(risks.itertuples()):
    with cols[i % 2]:
        label = ("⚠ " + r.label) if r.contraindication else r.label
        why = ("Contraindication. " + r.explanation) if r.contraindication else r.explanation
        st.checkbox(label, key=f"lt_risk_{r.code}", persist_state=KEEP, help=why)

# ------------------------------------------------------------------------------------------- warnings and save
warns = treatment_warnings(draft, ref)
if warns:
    st.subheader("Check before saving", anchor="check-before-saving")
    st.caption("These are recorded with the treatment, never blocked: they are what the clinic learns from.")
    for w in warns:
        st.warning(w.message, icon=":material/warning:")
        st.checkbox("I have checked this: record it as entered", key=f"lt_ok_{w.key}", persist_state=KEEP)
        if ss.get("lt_tried") and not ss.get(f"lt_ok_{w.key}"):
            st.error("Tick to confirm this warning, or correct the value.", icon=":material/error:")
    st.text_area("Reason (optional)", key="lt_reason", persist_state=KEEP, max_chars=500,
                 placeholder="Why the dose, product or timing was right for this patient")
    field_error(errors, "override_reason")

st.button("Save treatment", type="primary", key="lt_save", on_click=_on_save)
if ss.get("lt_notice"):
    st.error(ss["lt_notice"])
