"""Event probabilities (baseline and planted multipliers) and the drawn events of a scenario."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tests.support.scenario_reference import Reference
from tests.support.scenario_sessions import Sessions
from tests.support.scenario_world import World

P_MAX = 0.95
EXPERIENCE_SCALE = 60.0


@dataclass
class Baseline:
    """Baseline probability of every channel: over the rows of its area, or over treatments for a session channel."""

    index: list[np.ndarray]  # per channel: row indices (area channel) or treatment indices (session channel)
    p: list[np.ndarray]
    session: np.ndarray  # per channel: True for a session channel
    term: np.ndarray  # per channel term code
    n_rows: int
    n_treatments: int

    def channels(self, term: str) -> np.ndarray:
        """Return the channels of a term."""
        return np.flatnonzero(self.term == term)

    def row_base(self, term: str) -> np.ndarray:
        """Return the term's baseline probability per treated-area row (0 where the area has no such term)."""
        out = np.zeros(self.n_rows)
        for c in self.channels(term):
            if not self.session[c]:
                out[self.index[c]] += self.p[c]
        return out

    def session_base(self, term: str) -> np.ndarray:
        """Return the term's baseline probability per treatment from its session channels."""
        out = np.zeros(self.n_treatments)
        for c in self.channels(term):
            if self.session[c]:
                out[self.index[c]] += self.p[c]
        return out

    def is_session(self, term: str) -> bool:
        """Return True when the term is drawn per treatment."""
        ch = self.channels(term)
        return bool(ch.size) and bool(self.session[ch].all())

    def total(self, term: str) -> float:
        """Return the baseline expected count of a term over the whole clinic."""
        return float(sum(self.p[c].sum() for c in self.channels(term)))


@dataclass
class Effects:
    """Planted multipliers on event rates: per term, over rows (area terms) or treatments (session terms)."""

    n_rows: int
    n_treatments: int
    rows: dict[str, np.ndarray] = field(default_factory=dict)
    sessions: dict[str, np.ndarray] = field(default_factory=dict)

    def scale_rows(self, term: str, idx: np.ndarray, mult: np.ndarray | float) -> None:
        """Multiply the term's rate on the given rows."""
        arr = self.rows.setdefault(term, np.ones(self.n_rows))
        arr[idx] *= mult

    def scale_sessions(self, term: str, idx: np.ndarray, mult: np.ndarray | float) -> None:
        """Multiply the term's rate on the given treatments."""
        arr = self.sessions.setdefault(term, np.ones(self.n_treatments))
        arr[idx] *= mult


@dataclass
class Drawn:
    """Drawn events: treatment, row (-1 for session channels), channel."""

    t: np.ndarray
    row: np.ndarray
    channel: np.ndarray


def experience(world: World, s: Sessions) -> np.ndarray:
    """Return the small extra rate of an injector's first treatments (1 = none)."""
    inj = world.injectors
    return 1.0 + inj.experience_excess[s.inj] * np.exp(-s.rank / EXPERIENCE_SCALE)


def baseline(world: World, ref: Reference, s: Sessions) -> Baseline:
    """Compute every channel's baseline probabilities (reporting completeness and injector noise included)."""
    ch = ref.channels
    term_idx = np.array([ref.terms.index(t) for t in ch.term])
    exp_mult = experience(world, s)
    rows = s.rows
    by_area = [np.flatnonzero(rows.area == a) for a in range(world.injectors.rate_mult.shape[1])]
    all_t = np.arange(s.n)
    index: list[np.ndarray] = []
    probs: list[np.ndarray] = []
    for c in range(len(ch)):
        comp = world.sites.completeness[:, term_idx[c]]
        if ch.area[c] < 0:
            p = world.p_world[c] * comp[s.site] * world.injectors.session_mult[s.inj] * exp_mult
            index.append(all_t)
        else:
            idx = by_area[ch.area[c]]
            t = rows.t[idx]
            p = world.p_world[c] * comp[s.site[t]] * world.injectors.rate_mult[s.inj[t], ch.area[c]] * exp_mult[t]
            index.append(idx)
        probs.append(np.minimum(p, P_MAX))
    return Baseline(index=index, p=probs, session=ch.area < 0, term=ch.term, n_rows=rows.t.size, n_treatments=s.n)


def draw(rng: np.random.Generator, base: Baseline, effects: Effects, rows_t: np.ndarray) -> Drawn:
    """Draw the events of every channel with the planted multipliers applied."""
    ts, rs, cs = [], [], []
    for c, (idx, p) in enumerate(zip(base.index, base.p, strict=True)):
        u = rng.random(idx.size)
        term = str(base.term[c])
        mult = effects.sessions.get(term) if base.session[c] else effects.rows.get(term)
        if mult is not None:
            p = np.minimum(p * mult[idx], P_MAX)
        hit = idx[u < p]
        ts.append(hit if base.session[c] else rows_t[hit])
        rs.append(np.full(hit.size, -1) if base.session[c] else hit)
        cs.append(np.full(hit.size, c))
    return Drawn(t=np.concatenate(ts), row=np.concatenate(rs), channel=np.concatenate(cs))


def realised_ratio(p: np.ndarray, mult: np.ndarray | float) -> float:
    """Return the rate ratio a multiplier really gives once probabilities are capped."""
    total = float(p.sum())
    return float(np.minimum(p * mult, P_MAX).sum() / total) if total > 0 else float(np.mean(mult))
