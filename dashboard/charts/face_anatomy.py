"""The drawn face: anatomy as vector paths, the 11 treatment areas as zones with their usual injection
points, and the danger zones with the events they risk, in the face chart's units.

Units: x from -110 (viewer's left) to 116, y from -102 (shoulders) to 140 (top of the head); the area
markers sit at catalog.yaml's chart_x / chart_y. Everything on the patient's right is drawn at x < 0 (the
viewer faces the patient). Only the right-hand half of a bilateral shape is written here; `mirror` makes
the other half, so the two sides always match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from dashboard.core.reference_data import build_tables

# ----------------------------------------------------------------------------------------------- anatomy
# (path, kind): kind picks the line style in face.py. Paths on the viewer's right (x > 0) are mirrored.
HEAD = ("M 0 140 C 40 140 66 124 64 95 C 65 70 64 45 58 24 C 52 6 30 -8 12 -12 Q 0 -15 -12 -12 "
        "C -30 -8 -52 6 -58 24 C -64 45 -65 70 -64 95 C -66 124 -40 140 0 140 Z")
MIDLINE: list[tuple[str, str]] = [
    (HEAD, "outline"),
    ("M -58 108 C -45 127 -20 125 0 123 C 20 125 45 127 58 108", "hairline"),
    ("M -9 48 Q -4 45.5 0 47 Q 4 45.5 9 48", "feature"),                          # base of the nose
    ("M -18 30 Q -9 35.5 -3 33.5 Q 0 32.5 3 33.5 Q 9 35.5 18 30", "lip"),         # upper lip, Cupid's bow
    ("M -18 30 Q 0 27.5 18 30", "feature"),                                       # mouth line
    ("M -18 30 Q 0 19 18 30", "lip"),                                             # lower lip
    ("M -8 11 Q 0 8 8 11", "fold"),                                               # chin crease
    ("M -10 -58 Q 0 -54 10 -58", "fold"),                                         # suprasternal notch
]
SIDED: list[tuple[str, str]] = [
    ("M 10 90 Q 26 97 43 88", "brow"),
    ("M 12 79 Q 25 87 38 79", "lid"),                     # upper lid
    ("M 12 79 Q 25 73.5 38 79", "feature"),               # lower lid
    ("M 13 82.5 Q 25 90 37 82.5", "fold"),                # lid crease
    ("M 21.5 79 C 21.5 81 23 82.5 25 82.5 C 27 82.5 28.5 81 28.5 79 C 28.5 77 27 75.5 25 75.5 "
     "C 23 75.5 21.5 77 21.5 79 Z", "iris"),   # plotly paths have no arcs: four cubic quarters
    ("M 6 84 C 7 72 8 63 11 56", "fold"),                 # side of the nose
    ("M 11 56 Q 15 51 9 48", "feature"),                  # ala
    ("M 12 52 Q 20 42 21 31", "fold"),                    # nasolabial fold
    ("M 64 86 C 74 88 74 62 64 58", "outline"),           # ear
    ("M 31 4 L 33 -50", "outline"),                       # side of the neck
    ("M 58 24 Q 52 20 50 14", "fold"),                    # angle of the jaw
    ("M 33 -50 Q 70 -55 105 -72", "outline"),             # shoulder
    ("M 8 -60 Q 35 -54 62 -60", "fold"),                  # collarbone
    ("M 14 -6 L 20 -52", "fold"),                         # platysmal band
]

# ----------------------------------------------------------------------------------------------- muscles
# Optional overlay: (muscle, path) on the viewer's right where paired.
MUSCLES_MIDLINE = [
    ("Frontalis", "M -50 100 Q -52 118 -30 122 Q 0 120 30 122 Q 52 118 50 100 Q 25 97 8 100 L 0 98 L -8 100 "
                  "Q -25 97 -50 100 Z"),
    ("Procerus", "M -4 86 L 4 86 L 5 96 L -5 96 Z"),
    ("Orbicularis oris", "M -22 30 Q -22 44 0 42 Q 22 44 22 30 Q 22 14 0 16 Q -22 14 -22 30 Z"),
    ("Mentalis", "M -10 12 Q 0 16 10 12 L 8 -6 Q 0 -9 -8 -6 Z"),
]
MUSCLES_SIDED = [
    ("Corrugator supercilii", "M 4 90 Q 15 95 24 94 L 23 91 Q 14 91 5 87 Z"),
    ("Orbicularis oculi", "M 25 96 C 50 96 50 62 25 64 C 2 64 2 96 25 96 Z "
                          "M 25 88 C 40 88 40 70 25 71 C 10 71 10 88 25 88 Z"),
    ("Nasalis", "M 5 72 Q 11 70 12 62 L 8 58 Q 5 64 5 72 Z"),
    ("Levator labii", "M 10 60 L 16 62 L 16 40 L 11 38 Z"),
    ("Depressor anguli oris", "M 18 26 L 24 26 L 34 4 L 24 4 Z"),
    ("Masseter", "M 44 48 L 58 48 L 60 24 L 54 12 L 42 18 Z"),
    ("Platysma", "M 12 2 L 32 2 L 40 -52 L 12 -56 Z"),
]

# ----------------------------------------------------------------------------------------------- areas
# Zone (viewer's right half for bilateral areas) and the usual injection points on that side.
ZONES: dict[str, str] = {
    "forehead": "M -46 101 Q -25 98 -12 101 L 12 101 Q 25 98 46 101 L 51 110 Q 30 124 0 121 Q -30 124 -51 110 Z",
    "glabella": "M -12 84 L 12 84 L 14 100 L -14 100 Z",
    "lateral_canthal": "M 40 65 L 52 63 L 58 76 L 53 90 L 42 87 Q 45 76 40 65 Z",
    "bunny_lines": "M 4 71 L 11 71 L 13 60 L 7 59 Z",
    "gummy_smile": "M 10 53 L 18 51 L 20 41 L 12 40 Z",
    "perioral": "M -20 36 Q 0 43 20 36 L 20 24 Q 0 16 -20 24 Z",
    "dao": "M 19 24 L 30 21 L 34 5 L 23 6 Z",
    "mentalis": "M -12 12 L 12 12 L 10 -9 L -10 -9 Z",
    "masseter": "M 46 45 L 60 45 L 59 16 L 45 19 Z",
    "platysma": "M 16 -3 L 31 -1 L 35 -48 L 21 -50 Z",
    "axillary_hyperhidrosis": "M 76 -58 Q 86 -51 96 -58 Q 92 -72 80 -70 Z",
}
POINTS: dict[str, list[tuple[float, float]]] = {  # midline areas: every point; bilateral: the right side's
    "glabella": [(0, 91), (-8, 89.5), (8, 89.5), (-15, 95), (15, 95)],
    "forehead": [(-30, 110), (-15, 112), (0, 112), (15, 112), (30, 110)],
    "lateral_canthal": [(48, 85), (52, 76), (48, 67)],
    "bunny_lines": [(8.5, 65)],
    "gummy_smile": [(14.5, 47)],
    "perioral": [(-7, 36.5), (7, 36.5), (-8, 23), (8, 23)],
    "dao": [(27, 11)],
    "mentalis": [(-5, 2), (5, 2)],
    "masseter": [(52, 38), (55, 29), (51, 22)],
    "platysma": [(24, -12), (26, -24), (28, -38)],
    "axillary_hyperhidrosis": [(82, -60), (88, -60), (85, -65)],
}
BILATERAL = frozenset({"lateral_canthal", "bunny_lines", "gummy_smile", "dao", "masseter", "platysma",
                       "axillary_hyperhidrosis"})

# ----------------------------------------------------------------------------------------------- danger zones
# Where a misplaced or spreading dose does harm: (name, path on the viewer's right, the areas it limits).
DANGERS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Upper orbital rim (levator palpebrae)", "M 12 83 Q 25 91 40 84 L 40 87.5 Q 25 94 12 86.5 Z",
     ("glabella", "forehead")),
    ("Lateral orbital rim", "M 38 70 Q 43 79 39 89 L 42 89 Q 46 79 41 70 Z", ("lateral_canthal",)),
    ("Zygomaticus (below the cheekbone)", "M 40 60 L 50 58 L 34 38 L 27 42 Z", ("lateral_canthal", "masseter")),
    ("Depressor labii / risorius", "M 18 20 L 23 20 L 24 8 L 18 10 Z", ("dao", "masseter")),
    ("Deep neck (swallowing muscles)", "M -8 -2 L 8 -2 L 9 -48 L -9 -48 Z", ("platysma",)),
]


@dataclass(frozen=True)
class Danger:
    """One danger zone, drawn on both sides where paired, with the hover text shown to the practitioner."""

    name: str
    paths: tuple[str, ...]
    areas: tuple[str, ...]
    text: str


def mirror(path: str) -> str:
    """Mirror an SVG path of M/L/Q/C/A/Z commands in the vertical midline (x -> -x; arcs flip their sweep)."""
    out: list[str] = []
    tokens = re.findall(r"[MLQCAZ]|-?\d+(?:\.\d+)?", path)
    cmd, i = "", 0
    while i < len(tokens):
        t = tokens[i]
        if t in "MLQCAZ":
            cmd = t
            out.append(t)
            i += 1
            continue
        if cmd == "A":  # rx ry rotation large-arc sweep x y
            rx, ry, rot, large, sweep, x, y = tokens[i:i + 7]
            out += [rx, ry, rot, large, "1" if sweep == "0" else "0", _neg(x), y]
            i += 7
            continue
        out += [_neg(t), tokens[i + 1]]
        i += 2
    return " ".join(out)


def _neg(x: str) -> str:
    v = -float(x)
    return f"{v:g}" if v != 0 else "0"


def sided(path: str) -> list[str]:
    """The path and its mirror image (a shape written for the viewer's right drawn on both sides)."""
    return [path, mirror(path)]


def anatomy_paths() -> list[tuple[str, str]]:
    """Every anatomy line of the face: (path, kind)."""
    return [*MIDLINE, *((p, k) for path, k in SIDED for p in sided(path))]


def muscle_paths() -> list[tuple[str, str]]:
    """The muscle overlay: (muscle, path)."""
    return [*MUSCLES_MIDLINE, *((m, p) for m, path in MUSCLES_SIDED for p in sided(path))]


def zone_paths(area: str) -> list[tuple[str, str]]:
    """An area's zone(s) as (side, path): side 'R' or 'L' for bilateral areas, 'C' for midline ones."""
    path = ZONES[area]
    if area in BILATERAL:
        return [("L", path), ("R", mirror(path))]  # the viewer's right is the patient's left
    return [("C", path)]


def injection_points(area: str) -> list[tuple[str, float, float]]:
    """An area's usual injection points as (side, x, y)."""
    pts = POINTS[area]
    if area in BILATERAL:
        return [("L", x, y) for x, y in pts] + [("R", -x, y) for x, y in pts]
    return [("R" if x < 0 else "L" if x > 0 else "C", x, y) for x, y in pts]


@lru_cache(maxsize=1)
def dangers() -> tuple[Danger, ...]:
    """The danger zones with hover text from the reference: the placement rules and the events they risk."""
    tables = build_tables()
    names = dict(zip(tables.areas["code"], tables.areas["name"], strict=True))
    rules = dict(zip(tables.areas["code"], tables.areas["placement_rules"], strict=True))
    risks: dict[str, list[str]] = {}
    for t in tables.terms.itertuples():
        for a in str(t.placement_areas or "").split(","):
            if a:
                risks.setdefault(a, []).append(t.plain_name)
    out = []
    for name, path, areas in DANGERS:
        lines = [f"<b>Danger zone: {name}</b>"]
        for a in areas:
            short = names[a].split(" (")[0]
            rule = rules.get(a)
            if isinstance(rule, str) and rule:
                lines.append(f"{short}: {rule.split('; ')[0]}")
            if risks.get(a):
                lines.append(f"Risk if misplaced ({short}): " + ", ".join(risks[a][:4]).lower())
        paths = (path,) if path.startswith("M -") else tuple(sided(path))
        out.append(Danger(name, paths, areas, "<br>".join(lines)))
    return tuple(out)


def path_points(path: str, steps: int = 6) -> list[tuple[float, float]]:
    """Sample a path of M/L/Q/C/Z commands into a polygon (for fills that react to hover)."""
    tokens = re.findall(r"[MLQCZ]|-?\d+(?:\.\d+)?", path)
    pts: list[tuple[float, float]] = []
    cur = (0.0, 0.0)
    cmd, i = "", 0
    while i < len(tokens):
        if tokens[i] in "MLQCZ":
            cmd = tokens[i]
            i += 1
            if cmd == "Z":
                if pts:
                    pts.append(pts[0])
            continue
        need = {"M": 2, "L": 2, "Q": 4, "C": 6}[cmd]
        v = [float(x) for x in tokens[i:i + need]]
        i += need
        if cmd in "ML":
            cur = (v[0], v[1])
            pts.append(cur)
            continue
        ctrl = [cur] + [(v[k], v[k + 1]) for k in range(0, need, 2)]
        for s in range(1, steps + 1):
            t = s / steps
            pts.append(_bezier(ctrl, t))
        cur = ctrl[-1]
    return pts


def _bezier(ctrl: list[tuple[float, float]], t: float) -> tuple[float, float]:
    while len(ctrl) > 1:
        ctrl = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1]) for a, b in zip(ctrl, ctrl[1:], strict=False)]
    return ctrl[0]
