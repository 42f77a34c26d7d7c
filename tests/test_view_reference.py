"""The Reference page: read-only products, doses per area and event terms for every signed-in role."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.core.authz import PermissionDenied
from dashboard.reference.book import doses, grade_lines, products, span, terms

PAGE = str(Path(__file__).resolve().parent.parent / "dashboard" / "web" / "views" / "reference.py")


def page(user) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if user is not None:
        at.session_state["user"] = user
    return at.run()


def frame_with(at: AppTest, column: str):
    return next(f.value for f in at.dataframe if column in f.value.columns)


@pytest.mark.parametrize("role", ["practitioner", "manager", "admin"])
def test_every_role_looks_up_a_label_dose(db_file, role, request):
    at = page(request.getfixturevalue(role))
    assert not at.exception and not at.error
    assert at.title[0].value == "Reference"
    assert "data/reference/*.yaml" in at.caption[0].value and "loaded into the database at init" in at.caption[0].value
    assert at.caption[1].value.startswith("Loaded version (SHA-256 of the files): ")
    prods = frame_with(at, "factor_vs_ona").set_index("code")
    assert prods.loc["abo", "factor_vs_ona"] == 2.5 and prods.loc["ona", "use_within"] == "24 h"
    assert prods.loc["leti", "use_within"] == "not stated" and prods.loc["abo", "concentration"] == ""
    assert prods.loc["daxi", "concentration"] == "8" and prods.loc["ona", "dilution"] == "2.5"
    glabella = frame_with(at, "area_name").set_index("area").loc["glabella"]  # BOTOX first
    assert (glabella["label"], glabella["usual"], glabella["points"]) == ("20", "10–40", "3–7")
    at.selectbox(key="ref_product").select("abo").run()
    glabella = frame_with(at, "area_name").set_index("area").loc["glabella"]
    assert (glabella["label"], glabella["usual"]) == ("50", "25–100")
    assert "Units of Dysport/Azzalure" in at.caption[-1].value
    at.selectbox(key="ref_term").select("eyelid_ptosis").run()
    grades = at.text[0].value.splitlines()
    assert grades[0] == "Grade 1 (mild): lid drop ≤ 2 mm (MRD1), cosmetic only"
    assert grades[2].startswith("Grade 3 (severe or medically significant): > 4 mm")


def test_not_signed_in_is_refused(db_file, db):
    at = page(None)
    assert [e.value for e in at.error] == ["Please sign in to use InjectWatch."]
    assert not at.dataframe
    with pytest.raises(PermissionDenied):
        products(db, None)  # type: ignore[arg-type]


def test_terms_and_ranges(db, manager):
    table = terms(db, manager)
    assert len(table) == table["code"].nunique() >= 40
    assert list(table["is_process"]).index(True) > 0 and table["is_process"].iloc[-1]  # process terms last
    ungraded = table[~table["graded"]].iloc[0]
    assert grade_lines(ungraded) == []
    assert span(10.0, 40.0) == "10–40" and span(20.0, 20.0) == "20" and span(None, 3) == "" and span(2.5, 4) == "2.5–4"
    assert doses(db, manager, "nope").empty
