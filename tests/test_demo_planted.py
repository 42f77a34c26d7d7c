"""Each planted problem shows in a simple rate comparison on the generated frames; look-alikes do not."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from scipy.stats import poisson

from dashboard.core.config import RISK_FACTORS
from dashboard.demo import planted as pl
from dashboard.demo.catalog import INJECTORS, lots
from dashboard.demo.generator import generate

N = 20000


@pytest.fixture(scope="module", params=[1, 2])
def frames(request: pytest.FixtureRequest) -> dict[str, pd.DataFrame]:
    return generate(N, request.param)


def _in(t: pd.DataFrame, start: str | None, end: str | None) -> pd.Series:
    ok = pd.Series(True, index=t.index)
    if start:
        ok &= t["treated_at"] >= pd.Timestamp(start)
    if end:
        ok &= t["treated_at"] < pd.Timestamp(end) + pd.Timedelta(days=1)
    return ok


def _compare(f: dict[str, pd.DataFrame], term: str, group: pd.Series, reference: pd.Series,
             area: str | None = None) -> tuple[int, float, float]:
    """Events of term in group vs the rate in reference sessions: (observed, expected, one-sided Poisson p)."""
    t, e = f["treatments"], f["events"]
    ev = e[e["term"] == term]
    if area:
        ev = ev[ev["area"] == area]
    counts = ev.groupby("treatment_id").size()
    per = t["treatment_id"].map(counts).fillna(0)
    observed = int(per[group].sum())
    expected = float(per[reference].mean() * group.sum())
    return observed, expected, float(poisson.sf(observed - 1, expected))


def _with_area(f: dict[str, pd.DataFrame], area: str) -> pd.Series:
    ids = set(f["injections"].loc[f["injections"]["area"] == area, "treatment_id"])
    return f["treatments"]["treatment_id"].isin(ids)


def _assert_signal(obs: int, exp: float, p: float, min_ratio: float = 1.7) -> None:
    assert obs >= min_ratio * exp and p < 1e-3, (obs, round(exp, 2), p)


def _planted(id_: str) -> dict[str, object]:
    return next(p for p in pl.PLANTED if p["id"] == id_)


def test_planted_list_is_complete_and_consistent() -> None:
    kinds = {p["kind"] for p in pl.PLANTED}
    assert kinds == {"dosing", "placement", "product_lot", "time_cluster", "patient_factor"}
    names = {inj.name for inj in INJECTORS}
    for p in pl.PLANTED + pl.LOOKALIKES + pl.BACKGROUND:
        assert set(p) >= {"kind", "term", "injector", "area", "product", "lot", "factor", "window_start",
                          "window_end", "description"}
        assert p["injector"] is None or p["injector"] in names
        assert p["factor"] is None or p["factor"] in RISK_FACTORS
        assert p["lot"] is None or p["lot"] in set(lots()["lot"])
        for key in ("window_start", "window_end"):
            assert p[key] is None or date.fromisoformat(str(p[key]))
    assert any(p["kind"] == "dosing" and p["product"] == "ona" for p in pl.PLANTED)  # unit conversion error


def test_dysport_numbers_on_botox(frames: dict[str, pd.DataFrame]) -> None:
    p = _planted("dosing-dysport-numbers-on-botox")
    t, i = frames["treatments"], frames["injections"]
    window = _in(t, p["window_start"], p["window_end"])
    ona = t["product"] == "ona"
    group = (t["injector"] == p["injector"]) & window & ona
    _assert_signal(*_compare(frames, "eyelid_ptosis", group, ona & (t["injector"] != p["injector"])))
    gl = i[(i["area"] == "glabella") & i["treatment_id"].isin(set(t.loc[group, "treatment_id"]))]
    assert gl["units"].median() >= 40  # charted BOTOX glabella doses at Dysport numbers (usual 10-40 U)


def test_botox_numbers_on_dysport(frames: dict[str, pd.DataFrame]) -> None:
    p = _planted("dosing-botox-numbers-on-dysport")
    t = frames["treatments"]
    abo = t["product"] == "abo"
    group = (t["injector"] == p["injector"]) & _in(t, p["window_start"], p["window_end"]) & abo
    _assert_signal(*_compare(frames, "drug_ineffective", group, abo & (t["injector"] != p["injector"])),
                   min_ratio=2.5)


def test_low_glabellar_placement(frames: dict[str, pd.DataFrame]) -> None:
    p = _planted("placement-low-glabellar-injections")
    t, e = frames["treatments"], frames["events"]
    gl = _with_area(frames, "glabella")
    group = gl & (t["injector"] == p["injector"])
    _assert_signal(*_compare(frames, "eyelid_ptosis", group, gl & (t["injector"] != p["injector"]), "glabella"))
    ids = set(t.loc[group, "treatment_id"])
    sides = e[(e["term"] == "eyelid_ptosis") & (e["area"] == "glabella") & e["treatment_id"].isin(ids)]["side"]
    assert sides.isin(["L", "R"]).mean() > 0.8  # one-sided, as a placement error is


def test_subpotent_lot(frames: dict[str, pd.DataFrame]) -> None:
    p = _planted("lot-subpotent-botox")
    t = frames["treatments"]
    group = t["lot"] == p["lot"]
    assert t.loc[group, "injector"].nunique() >= 5 and t.loc[group, "clinic"].nunique() >= 3
    ona = (t["product"] == "ona") & ~group
    _assert_signal(*_compare(frames, "drug_ineffective", group, ona), min_ratio=3.0)
    obs, exp, _ = _compare(frames, "eyelid_ptosis", group, ona)
    assert obs <= 1.5 * exp + 3  # lack of effect, not extra ptosis


def test_infection_cluster_in_a_window(frames: dict[str, pd.DataFrame]) -> None:
    p = _planted("time-cluster-site-infections")
    t = frames["treatments"]
    group = _in(t, p["window_start"], p["window_end"]) & (t["clinic"] == p["clinic"])
    _assert_signal(*_compare(frames, "injection_site_infection", group, ~group), min_ratio=10.0)
    e = frames["events"]
    cluster = e[(e["term"] == "injection_site_infection") & e["treatment_id"].isin(set(t.loc[group, "treatment_id"]))]
    cases = t[t["treatment_id"].isin(set(cluster["treatment_id"]))]
    assert cases["injector"].nunique() >= 2 and cases["lot"].nunique() >= 2  # across injectors and lots


def test_anticoagulant_bruising(frames: dict[str, pd.DataFrame]) -> None:
    t = frames["treatments"]
    on = t["anticoagulant"].fillna(False).astype(bool)
    off = t["anticoagulant"].notna() & ~on
    _assert_signal(*_compare(frames, "injection_site_bruising", on, off))


def test_new_injector_is_small_with_one_ptosis(frames: dict[str, pd.DataFrame]) -> None:
    t, e = frames["treatments"], frames["events"]
    mine = set(t.loc[t["injector"] == "Dr Noah Brennan", "treatment_id"])
    assert 10 <= len(mine) <= 40
    assert ((e["term"] == "eyelid_ptosis") & e["treatment_id"].isin(mine)).sum() == 1


def test_masseter_injector_is_explained_by_case_mix(frames: dict[str, pd.DataFrame]) -> None:
    t = frames["treatments"]
    priya = t["injector"] == "Dr Priya Shah"
    raw_obs, raw_exp, _ = _compare(frames, "masticatory_weakness", priya, ~priya)
    assert raw_obs > 4 * raw_exp  # a raw count comparison would flag her ...
    ms = _with_area(frames, "masseter")
    obs, exp, _ = _compare(frames, "masticatory_weakness", ms & priya, ms & ~priya)
    assert 0.5 * exp <= obs <= 1.4 * exp  # ... but per masseter treatment she is ordinary


def test_lay_down_aftercare_has_no_effect() -> None:
    f = generate(60000, 4)
    t = f["treatments"]
    lay = t["aftercare_lay_down_4h"].fillna(False).astype(bool)
    obs, exp, _ = _compare(f, "eyelid_ptosis", lay, t["aftercare_lay_down_4h"].notna() & ~lay)
    assert 0.5 * exp <= obs <= 1.6 * exp


def _no_signal(obs: int, exp: float, p: float) -> None:
    assert obs < 1.6 * exp + 3 or p > 1e-3, (obs, round(exp, 2), p)


def test_without_planted_problems_nothing_stands_out() -> None:
    f = generate(N, 1, planted=False)
    t, i = f["treatments"], f["injections"]
    ona, abo = t["product"] == "ona", t["product"] == "abo"
    reid, hoff, marin = (t["injector"] == name for name in ("Dr Marcus Reid", "Dr Lena Hoffmann", "Dr Sofia Marin"))
    dosing, reverse = (_in(t, str(w[0]), str(w[1])) for w in (pl.DOSING_WINDOW, pl.REVERSE_WINDOW))
    _no_signal(*_compare(f, "eyelid_ptosis", reid & dosing & ona, ona & ~reid))
    _no_signal(*_compare(f, "drug_ineffective", hoff & reverse & abo, abo & ~hoff))
    gl = _with_area(f, "glabella")
    _no_signal(*_compare(f, "eyelid_ptosis", gl & marin, gl & ~marin, "glabella"))
    lot = t["lot"] == pl.SUBPOTENT_LOT
    _no_signal(*_compare(f, "drug_ineffective", lot, ona & ~lot))
    outbreak = _in(t, str(pl.OUTBREAK_WINDOW[0]), str(pl.OUTBREAK_WINDOW[1])) & (t["clinic"] == pl.OUTBREAK_CLINIC)
    _no_signal(*_compare(f, "injection_site_infection", outbreak, ~outbreak))
    on = t["anticoagulant"].fillna(False).astype(bool)
    _no_signal(*_compare(f, "injection_site_bruising", on, t["anticoagulant"].notna() & ~on))
    charted = i[i["treatment_id"].isin(set(t.loc[reid & dosing & ona, "treatment_id"])) & (i["area"] == "glabella")]
    assert charted["units"].median() <= 30  # ordinary BOTOX doses
