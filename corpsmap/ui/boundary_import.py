"""The admin's boundary import: upload the bureau's file, confirm its coordinate system and the matches, read the
checks and the preview map, publish the boundaries as a new version. The work is `corpsmap.boundaries`'s; the
publishing (and its permission check and audit entry) is `corpsmap.workflow.publish_boundaries`.
"""

from __future__ import annotations

import hashlib

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from corpsmap import basemaps, boundaries, workflow
from corpsmap.accounts import PermissionDenied
from corpsmap.data import DataError, Dataset
from corpsmap.i18n import name_of, t
from corpsmap.progress import zone_order
from corpsmap.project_map import project_base_map
from corpsmap.store import StoreError
from corpsmap.ui import frame, session, versions

ENCODINGS = ["", "utf-8", "gbk", "gb18030"]
_SEVERITY = {boundaries.ERROR: st.error, boundaries.WARNING: st.warning, boundaries.INFO: st.info}


@st.cache_data(max_entries=4, show_spinner=False)
def _import(content: bytes, filename: str, number: int, layer: str | None, crs: str | None, gcj02: bool,
            encoding: str | None, name_field: str | None, overrides: tuple[tuple[int, str | None], ...]):
    """The import of one upload with one set of choices, against version `number` (worked out once)."""
    return boundaries.import_boundaries(content, filename, frame.full_dataset(number),
                                        current=frame.zone_shapes(number), layer=layer, crs=crs, gcj02=gcj02,
                                        encoding=encoding, name_field=name_field, overrides=dict(overrides))


def import_section(lang: str) -> None:
    st.write(t("boundaries_intro", lang))
    notice = st.session_state.pop("boundaries_published", None)
    if notice:
        st.success(t("published", lang, number=notice))
    file = st.file_uploader(t("boundaries_upload", lang), type=["zip", "gpkg", "geojson", "json", "kml", "kmz"],
                            key=versions.uploader_key("boundaries"))
    if file is None:
        return
    content, number = file.getvalue(), frame.latest_version()
    dataset = frame.full_dataset(number)
    left, middle, right = st.columns(3)
    crs = left.text_input(t("boundaries_crs", lang), key="boundaries_crs", max_chars=40,
                          help=t("boundaries_crs_help", lang)).strip() or None
    encoding = middle.selectbox(t("boundaries_encoding", lang), ENCODINGS, key="boundaries_encoding",
                                format_func=lambda e: e or t("boundaries_auto", lang)) or None
    gcj02 = right.checkbox(t("boundaries_gcj02", lang), key="boundaries_gcj02", help=t("boundaries_gcj02_help", lang))
    choices = st.session_state.setdefault("boundaries_choices", {})
    key = hashlib.sha256(content).hexdigest()
    if choices.get("file") != key:  # another file: start over
        choices.clear()
        choices["file"] = key
    try:
        result = _import(content, file.name, number, choices.get("layer"), crs, gcj02, encoding,
                         choices.get("name_field"), tuple(sorted(choices.get("overrides", {}).items())))
    except (DataError, ValueError) as exc:  # the file refused, naming it; or a CRS that is not one
        st.error(t("data_rejected", lang, file=frame.md_escape(file.name)))
        st.code(frame.error_text(exc, lang), language=None)
        return
    _detected(result, choices, lang)
    _matches(result, dataset, choices, lang)
    for check in result.checks:
        _SEVERITY[check.severity](frame.md_text(check.text))
    _preview_map(result, dataset, number, lang)
    _publish(result, file.name, content, number, lang)


def _detected(result, choices: dict, lang: str) -> None:
    source = result.source
    st.caption(t("boundaries_detected", lang, format=source.format, layer=source.layer, crs=result.crs.label,
                 how=result.crs.source, encoding=f"{source.encoding} ({source.encoding_source})"))
    left, right = st.columns(2)
    if len(source.layers) > 1:
        choices["layer"] = left.selectbox(t("boundaries_layer", lang), source.layers,
                                          index=source.layers.index(source.layer), key="boundaries_layer")
    columns = [c for c in source.frame.columns if c != source.frame.geometry.name]
    if columns:
        current = result.name_field if result.name_field in columns else columns[0]
        picked = right.selectbox(t("boundaries_name_field", lang), columns, index=columns.index(current),
                                 key="boundaries_name_field")
        if picked != result.name_field:
            choices["name_field"] = picked
            st.rerun()
    st.dataframe(source.preview(10).astype(str), width="stretch")  # text as text: names read as the bureau wrote


def _matches(result, dataset: Dataset, choices: dict, lang: str) -> None:
    names = {r["zone_id"]: name_of(r, lang, "short") for r in dataset.zones.to_dict("records")}
    options = ["", *zone_order(dataset)]
    table = pd.DataFrame([{"feature": m.feature, "value": m.value, "zone": m.zone_id or "", "how": m.how}
                          for m in result.matches])
    st.subheader(t("boundaries_matches", lang), anchor=False)
    edited = st.data_editor(
        table, key="boundaries_match_table", hide_index=True, width="stretch", disabled=["feature", "value", "how"],
        column_config={"zone": st.column_config.SelectboxColumn(
            t("zone", lang), options=options, help=t("boundaries_match_help", lang)),
            "feature": st.column_config.NumberColumn("#"), "value": t("boundaries_value", lang),
            "how": t("boundaries_how", lang)})
    overrides = {int(f): (z or None) for f, z, before in zip(edited["feature"], edited["zone"], table["zone"])
                 if z != before}
    if overrides:
        choices.setdefault("overrides", {}).update(overrides)
        st.rerun()
    st.caption(", ".join(f"{names.get(z, z)}" for z in result.imported) or "—")


def _preview_map(result, dataset: Dataset, number: int, lang: str) -> None:
    """The new boundaries (solid) over the ones in use (the base map's light outlines)."""
    st.subheader(t("boundaries_preview", lang), anchor=False)
    _shapes, districts, river = frame.geodata()
    online = frame.online_tiles()
    m = project_base_map(frame.zone_shapes(number), dataset.zones, districts, river, lang, online_tiles=online)
    imported = basemaps.to_display(result.zones[result.zones["zone_id"].isin(result.imported)], online)
    if not imported.empty:
        folium.GeoJson(imported[["zone_id", "geometry"]].to_json(), name="new",
                       style_function=lambda _f: {"color": "#c53030", "weight": 3, "fillOpacity": 0.08},
                       tooltip=folium.GeoJsonTooltip(["zone_id"], labels=False)).add_to(m)
        south, west, north, east = (imported.total_bounds[i] for i in (1, 0, 3, 2))
        m.fit_bounds([[south, west], [north, east]])
    st_folium(m, key="boundaries_preview_map", height=480, use_container_width=True, returned_objects=[])


def _publish(result, filename: str, content: bytes, number: int, lang: str) -> None:
    if not result.ok:
        st.error(t("boundaries_blocked", lang, count=len(result.errors)))
        return
    if st.button(t("boundaries_publish", lang, count=len(result.imported)), type="primary",
                 key="boundaries_publish", icon=":material/publish:"):
        try:
            version = workflow.publish_boundaries(frame.store(), frame.current_user(), result.geojson(),
                                                  filename=filename, content=content, based_on=number,
                                                  client=session.client())
        except PermissionDenied as exc:
            versions.show_refusal(exc, lang)
            return
        except StoreError as exc:  # the same boundaries again, or a version published meanwhile
            st.error(frame.md_escape(str(exc)))
            return
        frame.reload_data()
        versions.discard("boundaries")
        st.session_state.pop("boundaries_choices", None)
        st.session_state["boundaries_published"] = version.number
        st.rerun()
