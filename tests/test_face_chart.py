"""The face chart builder: every area clickable, values coloured, selection parsed."""

from dashboard.charts.face import area_from_selection, face_figure
from dashboard.core import config


def _hubs(fig):
    """The trace of one labelled marker per area (the picking chart also has danger zones and points)."""
    return next(t for t in fig.data if t.name == "areas")


def test_every_area_has_a_clickable_marker():
    fig = face_figure()
    codes = set(_hubs(fig).customdata)
    assert codes == set(config.AREAS)


def test_values_colour_known_areas_and_grey_the_rest():
    fig = face_figure(values={"glabella": 12.5, "masseter": 3.0}, colorbar_title="per 1,000")
    grey, coloured = fig.data
    assert set(coloured.customdata) == {"glabella", "masseter"}
    assert "forehead" in set(grey.customdata)
    assert 12.5 in list(coloured.marker.color)


def test_selected_area_is_highlighted():
    fig = face_figure(selected=["forehead"])
    sizes = dict(zip(_hubs(fig).customdata, _hubs(fig).marker.size, strict=False))
    assert sizes["forehead"] > sizes["glabella"]


def test_area_from_selection_reads_customdata():
    event = {"selection": {"points": [{"customdata": "glabella"}, {"customdata": ["masseter"]},
                                      {"customdata": "glabella"}]}}
    assert area_from_selection(event) == ["glabella", "masseter"]
    assert area_from_selection(None) == []
    assert area_from_selection({"selection": {"points": []}}) == []


# ------------------------------------------------------------------ labels: none covers a marker or leaves the chart
FONT_W, LINE_H, GAP = 0.5, 1.25, 3  # measured on screenshots: ~0.45 em a character (0.5 for margin), a line 1.25 em tall; plotly leaves ~3 px


def _label_boxes(trace, px_per_unit: float) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Estimate each text label's box (x0, y0, x1, y1) in data units, as plotly places it at this scale."""
    font = trace.textfont.size or 12
    sizes = trace.marker.size if isinstance(trace.marker.size, list | tuple) else [trace.marker.size] * len(trace.x)
    out = []
    for text, x, y, pos, size in zip(trace.text, trace.x, trace.y, trace.textposition, sizes, strict=True):
        if not text:
            continue
        lines = text.split("<br>")
        w = max(len(line) for line in lines) * FONT_W * font / px_per_unit
        h = len(lines) * LINE_H * font / px_per_unit
        r = (size / 2 + GAP) / px_per_unit
        vert, horiz = pos.split(" ")
        cy = {"top": y + r + h / 2, "bottom": y - r - h / 2, "middle": y}[vert]
        cx = {"right": x + r + w / 2, "left": x - r - w / 2, "center": x}[horiz]
        out.append((text, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)))
    return out


def _disc_hits_box(x: float, y: float, radius: float, box: tuple[float, float, float, float]) -> bool:
    nx, ny = min(max(x, box[0]), box[2]), min(max(y, box[1]), box[3])
    return (nx - x) ** 2 + (ny - y) ** 2 < radius ** 2


def _assert_labels_clear(fig, trace, px_per_unit: float) -> None:
    xr, yr = fig.layout.xaxis.range, fig.layout.yaxis.range
    boxes = _label_boxes(trace, px_per_unit)
    assert boxes, "no labels drawn"
    sizes = trace.marker.size if isinstance(trace.marker.size, list | tuple) else [trace.marker.size] * len(trace.x)
    markers = list(zip(trace.text, trace.x, trace.y, sizes, strict=True))
    for text, box in boxes:
        assert xr[0] <= box[0] and box[2] <= xr[1] and yr[0] <= box[1] and box[3] <= yr[1], \
            f"label {text!r} is cut off at {px_per_unit} px per unit: {box}"
        for other, x, y, size in markers:
            if other == text and (box[0] - 1e-6 <= x <= box[2] + 1e-6 or box[1] <= y <= box[3]):
                continue  # its own marker (mirrored twins carry no text)
            assert not _disc_hits_box(x, y, size / 2 / px_per_unit, box), \
                f"label {text!r} covers the marker at ({x}, {y}) at {px_per_unit} px per unit"
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            apart = ba[2] <= bb[0] or bb[2] <= ba[0] or ba[3] <= bb[1] or bb[3] <= ba[1]
            assert apart, f"labels {a!r} and {b!r} overlap at {px_per_unit} px per unit"


def test_area_labels_cover_no_marker_and_stay_inside_the_chart():
    # ~1.4-1.6 px per unit: the face beside the area rows on Log treatment (1,366-1,440 px wide screens); 2-3: Trends
    for scale in (1.4, 1.5, 2.0, 3.0):
        plain = face_figure()
        _assert_labels_clear(plain, _hubs(plain), scale)
        every = face_figure(selected=config.AREAS)  # selected markers are bigger
        _assert_labels_clear(every, _hubs(every), scale)


def test_forehead_label_no_longer_covers_the_glabella_marker():
    fig = face_figure()
    trace = _hubs(fig)
    pos = dict(zip(trace.customdata, trace.textposition, strict=False))
    assert pos["forehead"].startswith("top")
    boxes = dict(_label_boxes(trace, 1.5))
    glabella_y = next(y for c, y in zip(trace.customdata, trace.y, strict=True) if c == "glabella")
    assert boxes["Forehead lines"][1] > glabella_y


def test_rate_labels_are_clear_too_and_the_colour_scale_starts_at_zero():
    values = {code: 100.0 + 10 * i for i, code in enumerate(config.AREAS)}
    for scale in (1.4, 2.0, 3.0):
        fig = face_figure(values=values, colorbar_title="per 1,000")
        _assert_labels_clear(fig, fig.data[-1], scale)
        for area in config.AREAS:  # Trends highlights the one area the page is filtered by
            picked = face_figure(values=values, selected=[area], colorbar_title="per 1,000")
            _assert_labels_clear(picked, picked.data[-1], max(scale, 1.5))
    marker = fig.data[-1].marker
    assert marker.cmin == 0 and marker.cmax == max(values.values())


# ------------------------------------------------------------------ the drawn face: anatomy, zones, points, dangers
def test_face_is_drawn_as_anatomy_paths_and_every_area_has_a_zone():
    from dashboard.charts import face_anatomy as anatomy

    fig = face_figure()
    paths = [s.path for s in fig.layout.shapes]
    assert anatomy.HEAD in paths  # outline with jaw and chin, not a circle
    assert not [s for s in fig.layout.shapes if s.type == "circle"]
    assert len(paths) >= len(anatomy.anatomy_paths()) + len(config.AREAS)
    for area in config.AREAS:
        assert anatomy.zone_paths(area)
        assert anatomy.injection_points(area)


def test_bilateral_points_are_tapped_one_side_at_a_time():
    from dashboard.charts.face import sides_from_selection

    points = next(t for t in face_figure().data if t.name == "points")
    crow = [c for c in points.customdata if c.startswith("lateral_canthal|")]
    assert {c.split("|")[1] for c in crow} == {"L", "R"}
    event = {"selection": {"points": [{"customdata": "lateral_canthal|L"}, {"customdata": "masseter|L"},
                                      {"customdata": "masseter|R"}, {"customdata": "glabella"}]}}
    assert area_from_selection(event) == ["lateral_canthal", "masseter", "glabella"]
    assert sides_from_selection(event) == {"lateral_canthal": "L", "masseter": "B"}


def test_danger_zones_hover_with_the_rule_and_the_event_they_risk():
    dangers = [t for t in face_figure().data if t.name == "danger"]
    text = " ".join(t.text for t in dangers)
    assert "Upper orbital rim" in text and "drooping upper eyelid" in text
    assert "double vision" in text  # crow's feet too close to the lateral orbital rim
    assert all(t.hoveron == "fills" for t in dangers)
    assert not [t for t in face_figure(values={"glabella": 1.0}).data if t.name == "danger"]  # not on the heatmap


def test_mirror_flips_x_only():
    from dashboard.charts.face_anatomy import mirror

    assert mirror("M 10 5 L -3 2 Q 4 4 0 1 Z") == "M -10 5 L 3 2 Q -4 4 0 1 Z"
