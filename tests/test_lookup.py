"""Event terms and areas are found by the clinician's word: coded term, plain label and synonyms, best first."""

import pytest

from dashboard.core.reference_data import build_tables
from dashboard.practice.lookup import AREA_SYNONYMS, TERM_SYNONYMS, area_label, rank, searchable, term_label

TERMS = build_tables().terms
AREAS = build_tables().areas


def _term_options():
    return {r.code: searchable(r.code, r.plain_name, r.preferred_term) for r in TERMS.itertuples()}


def _area_options():
    return {r.code: searchable(r.code, r.name, synonyms=AREA_SYNONYMS) for r in AREAS.itertuples()}


def test_every_term_has_synonyms_and_only_known_codes_are_listed():
    assert set(TERM_SYNONYMS) == set(TERMS["code"])
    assert set(AREA_SYNONYMS) == set(AREAS["code"])


@pytest.mark.parametrize("row", list(TERMS.itertuples()), ids=list(TERMS["code"]))
def test_every_term_is_found_by_its_code_its_coded_term_and_a_synonym(row):
    options = _term_options()
    assert rank(row.code.replace("_", " "), options)[0] == row.code
    assert row.code in rank(row.preferred_term, options)[:3]
    firsts = [s for s in TERM_SYNONYMS[row.code] if rank(s, options)[0] == row.code]
    assert firsts, f"no synonym of {row.code} finds it first"


@pytest.mark.parametrize(("word", "code"), [
    ("ptosis", "eyelid_ptosis"), ("droop", "eyelid_ptosis"), ("bruise", "injection_site_bruising"),
    ("ecchymosis", "injection_site_bruising"), ("swelling", "eyelid_oedema"), ("oedema", "eyelid_oedema"),
    ("edema", "eyelid_oedema"), ("rash", "rash"), ("urticaria", "urticaria"), ("hives", "urticaria"),
    ("diplopia", "diplopia"), ("double vision", "diplopia"), ("dysphagia", "dysphagia"),
    ("swallowing", "dysphagia"), ("hematoma", "injection_site_haematoma"),
])
def test_the_words_from_the_journey_find_the_term_near_the_top(word, code):
    assert code in rank(word, _term_options())[:3]


def test_ptosis_offers_ptoses_not_process_incidents_first():
    top = rank("ptosis", _term_options())[:3]
    assert top == ["eyelid_ptosis", "brow_ptosis", "lip_ptosis"]


@pytest.mark.parametrize(("word", "code"), [
    ("frown", "glabella"), ("crow's feet", "lateral_canthal"), ("crows feet", "lateral_canthal"),
    ("jaw", "masseter"), ("neck bands", "platysma"), ("chin", "mentalis"), ("underarm", "axillary_hyperhidrosis"),
])
def test_areas_are_found_by_the_usual_words(word, code):
    assert rank(word, _area_options())[0] == code


def test_labels_carry_every_searched_word_so_the_browser_filter_finds_them():
    for r in TERMS.itertuples():
        label = term_label(r.plain_name, r.preferred_term, r.body_region, r.code).lower()
        assert r.plain_name.lower() in label and r.preferred_term.lower() in label
        for s in TERM_SYNONYMS[r.code]:
            assert s.lower() in label, (r.code, s)
    for r in AREAS.itertuples():
        label = area_label(r.name, r.code).lower()
        assert r.name.lower() in label
        assert any(s.lower() in label for s in AREA_SYNONYMS[r.code])


def test_an_unrelated_word_finds_nothing_and_empty_finds_nothing():
    assert rank("", _term_options()) == []
    assert rank("zzzz", _term_options()) == []
