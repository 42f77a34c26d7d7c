"""The face chart builder: every area clickable, values coloured, selection parsed."""

from dashboard import config
from dashboard.charts.face import area_from_selection, face_figure


def test_every_area_has_a_clickable_marker():
    fig = face_figure()
    codes = set(fig.data[0].customdata)
    assert codes == set(config.AREAS)


def test_values_colour_known_areas_and_grey_the_rest():
    fig = face_figure(values={"glabella": 12.5, "masseter": 3.0}, colorbar_title="per 1,000")
    grey, coloured = fig.data
    assert set(coloured.customdata) == {"glabella", "masseter"}
    assert "forehead" in set(grey.customdata)
    assert 12.5 in list(coloured.marker.color)


def test_selected_area_is_highlighted():
    fig = face_figure(selected=["forehead"])
    sizes = dict(zip(fig.data[0].customdata, fig.data[0].marker.size, strict=False))
    assert sizes["forehead"] > sizes["glabella"]


def test_area_from_selection_reads_customdata():
    event = {"selection": {"points": [{"customdata": "glabella"}, {"customdata": ["masseter"]},
                                      {"customdata": "glabella"}]}}
    assert area_from_selection(event) == ["glabella", "masseter"]
    assert area_from_selection(None) == []
    assert area_from_selection({"selection": {"points": []}}) == []
