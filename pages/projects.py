"""项目库: find, filter, map and export the corps' projects. Every filter and the open project live in the URL."""

from functools import partial
from urllib.parse import urlencode

import streamlit as st
from streamlit_folium import st_folium

from corpsmap import export, project_map, projects
from corpsmap.i18n import name_of, t
from corpsmap.ui import frame, project_library
from corpsmap.ui.geodata import map_geodata

lang = frame.lang()
data = frame.dataset()
shapes, districts, river = map_geodata(data, lang)
known_ids = set(data.projects["project_id"])
TABLE_KEY = "project_table"
TABLE_COLUMNS = {"name": "name", "zone": "zone", "status": "status", "investment_yi": "col_investment_yi",
                 "amount_kind": "col_amount_kind", "start_date": "col_start_date",
                 "location_precision": "col_location_precision"}


def _close_project() -> None:
    st.query_params.pop("project", None)


def _open_from_map() -> None:
    project_id = project_map.project_from_click(st.session_state.get("project_map"), known_ids)
    if project_id:
        st.query_params["project"] = project_id


def _open_from_table(ids: list[str]) -> None:
    rows = st.session_state[TABLE_KEY].selection.rows
    if rows:
        st.query_params["project"] = ids[rows[0]]
    else:
        _close_project()


st.title(t("page_projects", lang), anchor=False)
st.caption(t("projects_caption", lang))
chosen = project_library.filter_bar(data, lang)

selected = st.query_params.get("project")
if selected and selected not in known_ids:
    st.warning(t("unknown_project", lang, value=frame.md_escape(selected)))
    _close_project()
    selected = None
if selected:
    st.dialog(frame.md_text(name_of(data.projects.set_index("project_id").loc[selected], lang)), width="large",
              on_dismiss=_close_project)(project_library.project_card)(data, selected, lang)

found = projects.sort_for_display(projects.apply(data.projects, data.zones, chosen), data.zones)
if found.empty:
    with st.container(key="no_results"):
        st.info(t("no_results", lang), icon=":material/search_off:")
        st.button(t("clear_filters", lang), icon=":material/filter_alt_off:", key="clear_filters_empty",
                  on_click=project_library.clear_filters)
else:
    project_library.totals(found, lang)
    rows = projects.project_rows(found, data, lang)
    signature = urlencode(projects.to_query(chosen))
    open_row = found[found["project_id"] == selected]
    left, right = st.columns([1, 1], gap="medium")
    with right:  # first: the table is quick to build, so it shows while the map is drawn
        buttons = st.columns([1, 1, 2], vertical_alignment="center")
        # Files are built only when clicked: an Excel file of thousands of rows would slow every filter change.
        buttons[0].download_button(t("export_csv", lang),
                                   frame.recorded(partial(export.to_csv_bytes, rows, lang), "projects.csv"),
                                   file_name="projects.csv", mime="text/csv", key="export_csv",
                                   icon=":material/download:", on_click="ignore")
        buttons[1].download_button(t("export_xlsx", lang),
                                   frame.recorded(partial(export.to_xlsx_bytes, rows, lang), "projects.xlsx"),
                                   file_name="projects.xlsx", mime=export.XLSX_MIME, key="export_xlsx",
                                   icon=":material/download:", on_click="ignore")
        buttons[2].caption(t("export_caption", lang, count=len(found)))
        ids = list(rows["project_id"])
        project_library.select_row(TABLE_KEY, ids, selected)
        st.dataframe(
            rows[list(TABLE_COLUMNS)], key=TABLE_KEY, height=min(560, 35 * (len(rows) + 1) + 3), hide_index=True,
            placeholder="—", on_select=partial(_open_from_table, ids), selection_mode="single-row",
            column_config={
                **{col: st.column_config.Column(t(key, lang), width="small") for col, key in TABLE_COLUMNS.items()},
                "name": st.column_config.TextColumn(t("name", lang), width="medium"),
                "investment_yi": st.column_config.NumberColumn(t("col_investment_yi", lang), format="%.2f",
                                                               width="small"),
            })
    with left:
        online = frame.online_tiles()
        m = project_map.project_base_map(shapes, data.zones, districts, river, lang, online)
        layer = project_map.project_layer(found, data, lang, signature, None if open_row.empty else open_row.iloc[0],
                                          online)
        st_folium(m, key="project_map", height=600, use_container_width=True,
                  returned_objects=["last_active_drawing"], on_change=_open_from_map, feature_group_to_add=layer)
        mapped = int(found["lat"].notna().sum())
        st.caption(t("map_caption", lang, mapped=mapped, unmapped=len(found) - mapped))
    unmapped = rows[found["lat"].isna()]
    if not unmapped.empty:
        project_library.unmapped_list(unmapped, lang)
