"""Trends: the manager's page. Rates per 1,000 treatments by period, term group, area, injector, product, lot
and dose, with drill-down to the cases. Filters live in the URL so a view can be shared."""

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from dashboard.charts.face import area_from_selection
from dashboard.trends import charts, queries
from dashboard.trends.drill import drill_from
from dashboard.trends.filters import GRAINS, SEVERITY_NAMES, Filters
from dashboard.web.guard import require_permission
from dashboard.web.ui import data_version, get_db, show_chart

user = require_permission("trends.view")
db = get_db()

st.title("Trends")
st.caption("Adverse events per 1,000 treatments. Every event counts against the date of the treatment it "
           "followed. An event counts against the area recorded on it; when no area was recorded, against "
           "every area treated in that session (so area rates use the treatments of that area).")


@st.cache_data(ttl=600, show_spinner=False)
def _options(version: int) -> dict[str, pd.DataFrame]:
    return queries.options(db, user)


@st.cache_data(ttl=600, show_spinner=False)
def _bounds(version: int) -> tuple:
    return queries.bounds(db, user)


@st.cache_data(ttl=600, show_spinner=False)
def _read_charts(version: int, key: tuple, _filters: Filters) -> dict[str, pd.DataFrame]:
    return queries.run_all(db, user, _filters, queries.CHARTS)  # side by side, not one by one


@st.cache_data(ttl=600, show_spinner=False)
def _cases(version: int, key: tuple, drill_key: tuple, _filters: Filters, _drill) -> pd.DataFrame:
    return queries.cases(db, user, _filters, _drill)


KEYS = {"start": "f_start", "end": "f_end", "clinic": "f_clinic", "injector": "f_injector", "product": "f_product",
        "lot": "f_lot", "area": "f_area", "term": "f_term", "min_severity": "f_sev", "serious_only": "f_serious",
        "grain": "f_grain"}


def _start_from_link(last_day: date) -> None:
    """First visit (or widgets forgotten after another page): take the filters from the link."""
    if all(key in st.session_state for key in KEYS.values()):
        return
    from_url, problems = Filters.from_query(st.query_params.to_dict())
    st.session_state["trends_problems"] = problems
    defaults = from_url.resolved(last_day)
    for field, key in KEYS.items():
        st.session_state[key] = getattr(defaults, field)
    st.session_state["trends_drill"] = None


def _choices(frame: pd.DataFrame) -> tuple[list, dict]:
    labels = dict(zip(frame["id"], frame["label"], strict=True))
    return [None, *labels], labels


def _select(col, label: str, frame: pd.DataFrame, key: str) -> None:
    ids, labels = _choices(frame)
    if st.session_state.get(key) not in ids:
        st.session_state[key] = None
    col.selectbox(label, ids, key=key, placeholder="All",
                  format_func=lambda v: "All" if v is None else str(labels.get(v, v)))


def _clear_drill() -> None:
    st.session_state["trends_drill"] = None


def _face_clicked() -> None:
    picked = area_from_selection(st.session_state.get("face_chart"))
    if picked:
        st.session_state[KEYS["area"]] = picked[0]
        st.session_state["trends_drill"] = None


def _chart_clicked(chart: str, key: str, **extra) -> None:
    from dashboard.trends.charts import selected_points

    points = selected_points(st.session_state.get(key))
    if points:
        st.session_state["trends_drill"] = drill_from(chart, points[0], **extra)


def _chart(fig, key: str, on_click) -> None:
    """A clickable chart, sent plain (no theme: the figure carries its look; see dashboard/charts/plain.py)."""
    show_chart(fig, key, on_select=on_click, selection_mode="points", theme=None, width="stretch")


def _reset_filters(last_day: date) -> None:
    defaults = Filters().resolved(last_day)
    for field, key in KEYS.items():
        st.session_state[key] = getattr(defaults, field)
    st.session_state["trends_drill"] = None


@st.fragment
def trends_panel() -> None:
    version = data_version()  # the cells are brought up to date by every write, never by this page
    _, last_day = _bounds(version)
    if last_day is None:
        st.info("No treatments recorded yet, so there is nothing to chart. Log treatments, import your clinic's "
                "files, or load the demo clinic from the Clinic overview page.")
        return
    opts = _options(version)
    _start_from_link(last_day)
    for message in st.session_state.get("trends_problems", []):
        st.warning(message)
    with st.container(border=True):
        c = st.columns(4)
        c[0].date_input("From (treatment date)", key=KEYS["start"], format="DD/MM/YYYY")
        c[1].date_input("To (treatment date)", key=KEYS["end"], format="DD/MM/YYYY")
        _select(c[2], "Clinic", opts["clinics"], KEYS["clinic"])
        _select(c[3], "Injector", opts["injectors"], KEYS["injector"])
        c = st.columns(4)
        _select(c[0], "Product", opts["products"], KEYS["product"])
        _select(c[1], "Lot", opts["lots"], KEYS["lot"])
        _select(c[2], "Treatment area", opts["areas"], KEYS["area"])
        _select(c[3], "Event", opts["terms"], KEYS["term"])
        c = st.columns([2, 1, 1, 1])
        c[0].select_slider("Minimum grade", options=list(SEVERITY_NAMES), key=KEYS["min_severity"],
                           format_func=lambda v: SEVERITY_NAMES[v])
        c[1].toggle("Serious events only", key=KEYS["serious_only"])
        c[2].radio("Trend by", GRAINS, key=KEYS["grain"], horizontal=True, format_func=str.capitalize)
        c[3].button("Reset filters", on_click=_reset_filters, args=(last_day,))

    start, end = st.session_state[KEYS["start"]], st.session_state[KEYS["end"]]
    if not isinstance(start, date) or not isinstance(end, date):
        st.error("Choose both a start and an end date for the period.")
        return
    if start > end:
        st.error("The start date is after the end date: choose a start on or before the end.")
        return
    chosen = Filters(**{field: st.session_state[key] for field, key in KEYS.items()})
    default = Filters().resolved(last_day)
    shared = Filters(**{**chosen.__dict__,
                        "start": None if chosen.start == default.start else chosen.start,
                        "end": None if chosen.end == default.end else chosen.end})
    wanted = shared.to_query()
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)
    filters = chosen
    key = tuple(sorted(filters.to_query().items()))

    frames = _read_charts(version, key, filters)

    def read(name: str) -> pd.DataFrame:
        return frames[name]

    kpis = read("kpis")
    prev_start, prev_end = filters.previous()
    st.caption(f"Period {filters.start:%d %b %Y} – {filters.end:%d %b %Y} ({filters.days()} days). The small "
               f"figure under each number is the change from the previous period, {prev_start:%d %b %Y} – "
               f"{prev_end:%d %b %Y}.")
    cols = st.columns([1, 1, 1.35, 1, 1])  # room for "Events per 1,000 treatments" without cutting it off
    for col, card in zip(cols, charts.kpi_cards(kpis), strict=True):
        col.metric(card.label, card.value, card.delta, delta_color=card.delta_color, help=card.help,
                   delta_arrow=card.delta_arrow)
    if int(kpis.set_index("period").loc["current", "treatments"]) == 0:
        st.info("No treatments match these filters in this period. Widen the period or clear a filter "
                "(Reset filters puts everything back).")
        return

    trend = read("trend")
    if trend.empty:
        st.info("No adverse events match these filters in this period, so there is no trend to draw.")
    else:
        _chart(charts.trend_figure(trend, filters.grain), "trend_chart",
               partial(_chart_clicked, "trend", "trend_chart", grain=filters.grain))

    # the face and its table side by side, the injector grid under them at full width: three columns in one
    # row left the face ~220 px wide at 1,024 px, its title running past it
    left, right = st.columns(2)
    with left:
        areas = read("areas")
        # the face's table is the area table (its points' coordinates would mean nothing to a reader)
        st.plotly_chart(charts.face_rate_figure(areas, filters.area), key="face_chart", on_select=_face_clicked,
                        selection_mode="points", theme=None, width="stretch")
        st.caption("Click an area to filter the whole page by it; grey areas had no treatments in this view.")
    with right:
        if st.toggle("Show as table", key="face_chart__as_table", value=True,
                     help="Events per 1,000 treatments of each area"):
            st.dataframe(charts.area_table(areas), hide_index=True, width="stretch", height=420,
                         column_config={
                             "Area": st.column_config.TextColumn(width="small"),
                             "Treatments": st.column_config.NumberColumn(format="localized", width="small"),
                             "Events": st.column_config.NumberColumn(format="localized", width="small"),
                             "Per 1,000": st.column_config.NumberColumn(
                                 "Per 1,000", help="Adverse events per 1,000 treatments of the area", format="%.1f",
                                 width="small")})
    grid = read("injector_area")
    if grid.empty:
        st.info("No treated areas match these filters.")
    else:
        _chart(charts.injector_area_figure(grid), "grid_chart", partial(_chart_clicked, "injector_area", "grid_chart"))

    left, right = st.columns(2)
    with left:
        products = read("products")
        _chart(charts.rate_bar_figure(products, "product_name", "product",
                                      "Adverse events per 1,000 treatments, by product", "Product"),
               "product_chart", partial(_chart_clicked, "products", "product_chart"))
    with right:
        lots = read("lots")
        top = charts.top_lots(lots)
        if lots.empty:
            st.info("No treatments with a recorded lot match these filters.")
        elif top.empty:
            st.info(f"None of the {len(lots):,} lots in this view has 20 or more treatments, too few to judge.")
        else:
            judged = int((~lots["too_few"]).sum())
            title = (f"Lots with the highest rates: top {len(top)} of {judged:,} lots" if judged > len(top)
                     else "Adverse events per 1,000 treatments, by lot")
            _chart(charts.rate_bar_figure(top, "lot_label", "lot_id", title, "Lot"), "lot_chart",
                   partial(_chart_clicked, "lots", "lot_chart"))
            left_out = len(lots) - judged
            if left_out:
                st.caption(f"{left_out:,} lots with fewer than 20 treatments are left out (too few to judge); "
                           "choose a lot in the filters to see it.")

    dose = read("dose")
    names = dict(zip(opts["products"]["id"], opts["products"]["label"], strict=True))
    used = dose.groupby("product")["treatments"].sum().sort_values(ascending=False)
    if used.empty:
        st.info("No doses recorded for these filters.")
    else:
        if filters.product and filters.product in used.index:
            product = filters.product
        else:
            if st.session_state.get("dose_product") not in used.index:
                st.session_state["dose_product"] = used.index[0]
            product = st.radio("Doses for product", list(used.index), key="dose_product", horizontal=True,
                               format_func=lambda p: names.get(p, p))
        _chart(charts.dose_figure(dose, product, names.get(product, product)), "dose_chart",
               partial(_chart_clicked, "dose", "dose_chart", product=product, product_name=names.get(product, product)))

    st.subheader("Cases behind the charts")
    drill = st.session_state.get("trends_drill")
    if drill is not None:
        c1, c2 = st.columns([4, 1])
        c1.markdown("Showing the cases of your chart selection:")
        c1.text(drill.label)
        c2.button("Show all cases", on_click=_clear_drill)
    else:
        st.caption("Click a point, square or bar in any chart above to list only its cases.")
    listing = _cases(version, key, () if drill is None else tuple(sorted(drill.__dict__.items())), filters, drill)
    if listing.empty:
        st.info("No adverse events match these filters" + (" and this selection." if drill else "."))
        return
    total = int(listing["total"].iloc[0])
    noun = "case" if total == 1 else "cases"
    st.caption(f"{total:,} {noun}" + (f"; the {len(listing):,} from the most recent treatments are shown." if total > len(listing)
                                      else ", most recent treatments first."))
    st.dataframe(
        charts.readable_outcomes(listing.drop(columns=["total"])), hide_index=True, width="stretch",
        column_config={
            "event_ref": "Event", "treated_on": st.column_config.DateColumn("Treated on", format="D MMM YYYY"),
            "onset_at": st.column_config.DatetimeColumn("Onset", format="D MMM YYYY, HH:mm"),
            "event": "What happened", "term_group": "Kind of event",
            "severity": st.column_config.NumberColumn("Grade", help="1 mild … 5 death"),
            "serious": "Serious", "outcome": "Outcome", "event_area": "Area on the event",
            "injector": "Injector", "clinic": "Clinic", "product": "Product", "lot": "Lot",
        },
    )


trends_panel()

from dashboard.web.views._followup_parts import completeness_section  # noqa: E402 (issue 16: beside the rates)

completeness_section(db, user)
