"""The events.csv frame of a scenario: onset, severity, outcome, area and the other report fields of drawn events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.core.config import AREAS
from tests.support.scenario_events import Drawn
from tests.support.scenario_frames import (
    ACTIONS,
    CAUSALITY,
    CAUSALITY_P,
    EVENT_COLUMNS,
    REPORTERS,
    SERIOUS_TERMS,
    iso,
    make_ids,
    nullable,
    treatment_times,
)
from tests.support.scenario_reference import BILATERAL, Reference
from tests.support.scenario_sessions import Sessions
from tests.support.scenario_world import World


@dataclass
class Timing:
    """Onset, resolution and report times of the kept events (datetime64[m]; resolved NaT when open)."""

    keep: np.ndarray
    onset: np.ndarray
    resolved: np.ndarray
    reported: np.ndarray


def _onset_days(rng: np.random.Generator, on: np.ndarray) -> np.ndarray:
    typical = rng.random(on.shape[0]) < 0.8
    lo = np.where(typical, on[:, 1], on[:, 0])
    hi = np.where(typical, on[:, 2], on[:, 3])
    return np.floor(lo + rng.random(lo.size) * (hi - lo + 0.999)).astype(np.int64)


def _timing(rng: np.random.Generator, world: World, ref: Reference, s: Sessions, d: Drawn) -> Timing:
    ch = ref.channels
    treated = treatment_times(world, s)[d.t]
    days = _onset_days(rng, ch.onset[d.channel])
    midnight = treated.astype("datetime64[D]").astype("datetime64[m]")
    later = midnight + (days * 1440 + rng.integers(7 * 60, 22 * 60, d.t.size)).astype("timedelta64[m]")
    onset = np.where(days == 0, treated + rng.integers(30, 600, d.t.size).astype("timedelta64[m]"), later)
    end = np.datetime64(world.export, "m") + np.timedelta64(23 * 60 + 59, "m")
    du = ch.duration[d.channel]
    long = rng.random(d.t.size) < 0.1
    dur = np.where(long, du[:, 1] + rng.random(d.t.size) * (du[:, 2] - du[:, 1]),
                   du[:, 0] + rng.random(d.t.size) * (du[:, 1] - du[:, 0]))
    resolved = onset + np.maximum(dur * 1440, 60).astype(np.int64).astype("timedelta64[m]")
    resolved = np.where(resolved <= end, resolved, np.datetime64("NaT"))
    reported = np.minimum(onset + rng.integers(0, 14 * 1440, d.t.size).astype("timedelta64[m]"), end)
    return Timing(keep=onset <= end, onset=onset, resolved=resolved, reported=np.maximum(reported, onset))


def _severity(rng: np.random.Generator, ref: Reference, d: Drawn, terms: np.ndarray) -> np.ndarray:
    sev = rng.choice([1, 2, 3], size=d.t.size, p=[0.62, 0.3, 0.08])
    sev = np.maximum(sev, ref.channels.severity_min[d.channel])
    sev = np.where(terms == "anaphylactic_reaction", rng.choice([3, 4], size=d.t.size, p=[0.85, 0.15]), sev)
    return np.where(terms == "drug_ineffective", np.minimum(sev, 2), sev)


def _seriousness(rng: np.random.Generator, sev: np.ndarray, terms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = sev.size
    serious = (sev >= 3) & (rng.random(n) < 0.35)
    hosp = np.isin(terms, SERIOUS_TERMS) & (rng.random(n) < 0.5)
    crit = np.full(n, None, dtype=object)
    crit[serious] = np.where(hosp, "hospitalisation", "medically_important")[serious]
    flag = pd.array(serious, dtype="boolean")
    flag[~serious & (rng.random(n) < 0.4)] = pd.NA
    return flag, crit


def _outcome(rng: np.random.Generator, resolved: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = resolved.size
    done = ~np.isnat(resolved)
    u = rng.random(n)
    outcome = np.where(done, np.where(u < 0.93, "recovered", np.where(u < 0.96, "recovered_with_sequelae", "unknown")),
                       np.where(u < 0.7, "recovering", "not_recovered")).astype(object)
    keep = done & (outcome != "unknown")
    text = np.full(n, None, dtype=object)
    date_only = rng.random(n) < 0.6
    text[keep & date_only] = iso(resolved[keep & date_only], "D")
    text[keep & ~date_only] = iso(resolved[keep & ~date_only])
    return outcome, text


def _main_area(s: Sessions) -> np.ndarray:
    """Return each treatment's area with the most units."""
    rows = s.rows
    order = np.lexsort((-rows.units, rows.t))
    first = order[np.r_[True, rows.t[order][1:] != rows.t[order][:-1]]]
    out = np.zeros(s.n, dtype=np.int64)
    out[rows.t[first]] = rows.area[first]
    return out


def _areas_sides(rng: np.random.Generator, world: World, s: Sessions, d: Drawn) -> tuple[np.ndarray, np.ndarray]:
    n = d.t.size
    session = d.row < 0
    area = np.where(session, _main_area(s)[d.t], s.rows.area[np.maximum(d.row, 0)])
    shown = np.where(session, rng.random(n) < 0.05, rng.random(n) < world.sites.area_recorded[s.site[d.t]])
    names = nullable(np.array(AREAS, dtype=object)[area], shown)
    bilateral = np.isin(area, [AREAS.index(a) for a in BILATERAL])
    side = np.where(bilateral, rng.choice(["L", "R", "B"], size=n, p=[0.45, 0.45, 0.1]), "C").astype(object)
    return names, nullable(side, ~session & shown & (rng.random(n) < 0.6))


def _text_fields(rng: np.random.Generator, world: World, ref: Reference, s: Sessions, d: Drawn,
                 terms: np.ndarray) -> dict[str, np.ndarray]:
    n = d.t.size
    inj = np.array(world.injectors.names, dtype=object)[s.inj[d.t]]
    by = np.where(rng.random(n) < 0.5, inj, REPORTERS[rng.integers(0, REPORTERS.size, n)])
    plain = np.array([ref.plain.get(t, t) for t in terms], dtype=object)
    action = np.array([ACTIONS.get(t) for t in terms], dtype=object)
    return {"causality": CAUSALITY[rng.choice(CAUSALITY.size, size=n, p=CAUSALITY_P)],
            "action_taken": nullable(action, rng.random(n) < 0.5),
            "reported_by": nullable(by, rng.random(n) < 0.9),
            "narrative": nullable(plain + " after the treatment", rng.random(n) < 0.7)}


def events_frame(rng: np.random.Generator, world: World, ref: Reference, s: Sessions, d: Drawn,
                 ids: np.ndarray) -> pd.DataFrame:
    """Return events.csv as a frame (events whose onset is after the export date are not reported yet)."""
    order = np.lexsort((d.channel, d.t))
    d = Drawn(t=d.t[order], row=d.row[order], channel=d.channel[order])
    tm = _timing(rng, world, ref, s, d)
    d = Drawn(t=d.t[tm.keep], row=d.row[tm.keep], channel=d.channel[tm.keep])
    tm = Timing(keep=tm.keep[tm.keep], onset=tm.onset[tm.keep], resolved=tm.resolved[tm.keep],
                reported=tm.reported[tm.keep])
    terms = ref.channels.term[d.channel]
    sev = _severity(rng, ref, d, terms)
    serious, crit = _seriousness(rng, sev, terms)
    outcome, resolved = _outcome(rng, tm.resolved)
    area, side = _areas_sides(rng, world, s, d)
    date_only = rng.random(d.t.size) < world.sites.onset_date_only[s.site[d.t]]
    onset = np.where(date_only, iso(tm.onset, "D"), iso(tm.onset))
    codes = np.array(["AE-" + c + "-" for c in world.sites.codes], dtype=object)[s.site[d.t]]
    frame = pd.DataFrame({
        "event_id": make_ids(codes, np.arange(1, d.t.size + 1), 6), "treatment_id": ids[d.t], "term": terms,
        "onset_at": onset, "severity": pd.array(sev, dtype="Int64"), "serious": serious, "seriousness": crit,
        "outcome": outcome, "resolved_at": resolved, "side": side, "area": area,
        "reported_at": iso(tm.reported), **_text_fields(rng, world, ref, s, d, terms)})
    return frame[EVENT_COLUMNS]
