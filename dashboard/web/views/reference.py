"""Reference (read-only, every signed-in role): products, label and usual doses per area, event terms and grades."""

import streamlit as st

from dashboard.reference import book as ref
from dashboard.web.guard import current_user
from dashboard.web.ui import get_db

user = current_user()
if user is None:
    st.error("Please sign in to use InjectWatch.")
    st.stop()
db = get_db()

st.title("Reference")
digest = ref.fingerprint(db, user)
st.caption("The clinical reference InjectWatch uses to check doses, name adverse events and grade them. It comes from "
           "the files `data/reference/*.yaml`, which are versioned with the software, and is loaded into the database "
           "at init (and again whenever those files change). Doses are per product and are never converted between "
           "products. The ranges serve to spot unusual treatments: check the current product label (PI/SmPC) "
           "before you treat.")
if digest:
    st.caption(f"Loaded version (SHA-256 of the files): {digest[:16]}")

products = ref.products(db, user)
brands = dict(zip(products["code"], products["brand"], strict=True))

# ---------------------------------------------------------------------- products
st.subheader("Products")
st.dataframe(products, hide_index=True, width="stretch",
             column_order=("brand", "inn", "code", "factor_vs_ona", "concentration", "dilution",
                           "use_within", "vial_sizes"),
             column_config={
                 "brand": st.column_config.TextColumn("Brand"),
                 "inn": st.column_config.TextColumn("Substance"),
                 "code": st.column_config.TextColumn("Code"),
                 "factor_vs_ona": st.column_config.NumberColumn(
                     "Units ≈ 1 BOTOX unit", format="%g",
                     help="Approximate unit ratio to onabotulinumtoxinA, for comparison only; doses are never "
                          "converted"),
                 "concentration": st.column_config.TextColumn("Units per 0.1 mL (label)"),
                 "dilution": st.column_config.TextColumn("Saline mL per 100 U (label)"),
                 "use_within": st.column_config.TextColumn("Use within", help="After reconstitution, per the label"),
                 "vial_sizes": st.column_config.TextColumn("Vial sizes (U)"),
             })

# ---------------------------------------------------------------------- doses per area
st.subheader("Doses per area")
product = st.selectbox("Product", list(brands), format_func=lambda c: f"{brands[c]} ({c})", key="ref_product")
doses = ref.doses(db, user, product)
if doses.empty:
    st.info(f"The reference gives no doses for {brands[product]}.")
else:
    st.dataframe(doses, hide_index=True, width="stretch", height=36 * (len(doses) + 1) + 3,
                 column_order=("area_name", "region", "label", "usual", "per_point", "points", "basis"),
                 column_config={
                     "area_name": st.column_config.TextColumn("Area"),
                     "region": st.column_config.TextColumn("Region"),
                     "label": st.column_config.TextColumn("Label dose (U)", help="Total dose on the product label"),
                     "usual": st.column_config.TextColumn("Usual total (U)",
                                                          help="Doses outside this range are flagged, not refused"),
                     "per_point": st.column_config.TextColumn("Per point (U)"),
                     "points": st.column_config.TextColumn("Injection points"),
                     "basis": st.column_config.TextColumn("Basis", help="label, consensus or derived"),
                 })
    st.caption(f"Units of {brands[product]}. Areas without a row have no reference dose for this product.")

# ---------------------------------------------------------------------- event terms
st.subheader("Adverse event terms")
terms = ref.terms(db, user)
st.dataframe(terms, hide_index=True, width="stretch",
             column_order=("plain_name", "preferred_term", "code", "body_region", "graded", "is_process"),
             column_config={
                 "plain_name": st.column_config.TextColumn("Event"),
                 "preferred_term": st.column_config.TextColumn("Medical term"),
                 "code": st.column_config.TextColumn("Code"),
                 "body_region": st.column_config.TextColumn("Body region"),
                 "graded": st.column_config.CheckboxColumn("Graded"),
                 "is_process": st.column_config.CheckboxColumn("Process incident",
                                                               help="Worth reporting even without harm"),
             })
names = dict(zip(terms["code"], terms["plain_name"], strict=True))
code = st.selectbox("Severity grades of", list(names), format_func=names.get, key="ref_term")
term = terms[terms["code"] == code].iloc[0]
with st.container(border=True):
    lines = ref.grade_lines(term)
    st.text("\n".join(lines) if lines else "This term is not graded by severity.")
    note = term["placement_note"]
    if isinstance(note, str) and note.strip():
        st.caption("Linked to placement")
        st.text(note)

# ---------------------------------------------------------------------- follow-up schedule
from dashboard.web.views._followup_parts import schedule_section  # noqa: E402

schedule_section(db, user)
