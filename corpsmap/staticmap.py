"""The campaign map drawn on the server as a PNG, for the briefing pack and for slides.

Drawn with matplotlib from the same geodata, styles and zone colours as the web map (mapview.py), in the same
Web Mercator projection as Leaflet; no tiles and nothing from the internet. Labels are set in the same Noto
Sans CJK SC face as the PDF (fonts.py). Sizes are in pixels of the image asked for, so a 1920×1080 slide and
a map printed 17 cm wide read alike.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
from matplotlib import font_manager, patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Patch
from matplotlib.path import Path as MplPath

from corpsmap import fonts, geo, mapview
from corpsmap.colouring import Colouring

MERCATOR = 3857  # Leaflet's projection: the printed map has the web map's shapes
MARGIN_DEGREES = 0.03  # around the zones, as mapview.fit_to frames the web map
MAX_PIXELS = 8000  # per side: a bigger image is a typo, and would take minutes and gigabytes
FADED_OPACITY = 0.3  # the other zones when one is outlined
LABEL_COLOR = "#1a202c"
DISTRICT_LABEL_COLOR = "#718096"
NOTE_CHARACTERS = 55  # a legend note's line, in Latin characters (Chinese ones are twice as wide)
_DPI = 100  # figure units only: every size below is in pixels of the output


@dataclass(frozen=True)
class _Base:
    """The base map as matplotlib paths in Web Mercator metres, built once per process."""

    neighbours: list[MplPath]
    xiaoshan: list[MplPath]
    water: list[MplPath]
    river_lines: list[MplPath]
    district_labels: dict[str, tuple[str, str, float, float]]  # adcode → (name_zh, name_en, x, y)


@dataclass(frozen=True)
class _Zones:
    """The zones of one set of boundaries, likewise."""

    paths: dict[str, MplPath]
    boundaries: dict[str, str]  # zone_id → official or schematic
    labels: dict[str, tuple[float, float]]  # zone_id → (x, y)
    extent: tuple[float, float, float, float]  # the zones with a margin: xmin, ymin, xmax, ymax


def _path(geometry) -> MplPath:
    """A shapely (multi)polygon or (multi)line as one matplotlib path; holes stay holes."""
    parts = getattr(geometry, "geoms", [geometry])
    vertices, codes = [], []
    for part in parts:
        rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" else [part]
        for ring in rings:
            xy = np.asarray(ring.coords)[:, :2]
            vertices.append(xy)
            step = [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 1)
            if part.geom_type == "Polygon":
                step[-1] = MplPath.CLOSEPOLY
            codes.append(step)
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


@lru_cache(maxsize=1)
def _base() -> _Base:
    districts, river = geo.load_districts(), geo.load_river()
    points = mapview.district_label_points(districts, river)
    projected = gpd.GeoSeries.from_xy([lon for _, lon in points.values()], [lat for lat, _ in points.values()],
                                      crs=4326).to_crs(MERCATOR)
    names = districts.set_index("adcode")
    districts, river = districts.to_crs(MERCATOR), river.to_crs(MERCATOR)
    xiaoshan = districts["is_xiaoshan"].astype(bool)
    return _Base(
        neighbours=[_path(g) for g in districts.geometry[~xiaoshan]],
        xiaoshan=[_path(g) for g in districts.geometry[xiaoshan]],
        water=[_path(g) for g in river.geometry[river["kind"] == "water"]],
        river_lines=[_path(g) for g in river.geometry[river["kind"] == "river_line"]],
        district_labels={a: (names.loc[a, "name_zh"], names.loc[a, "name_en"], p.x, p.y)
                         for a, p in zip(points, projected)},
    )


def _zones(shapes: gpd.GeoDataFrame) -> _Zones:
    """The zone shapes (WGS-84, as geo loads them) as paths, framed as mapview.fit_to frames the web map."""
    west, south, east, north = shapes.total_bounds
    frame = gpd.GeoSeries.from_xy([west - MARGIN_DEGREES, east + MARGIN_DEGREES],
                                  [south - MARGIN_DEGREES, north + MARGIN_DEGREES], crs=4326).to_crs(MERCATOR)
    zones = shapes.to_crs(MERCATOR)
    return _Zones(
        paths={z: _path(g) for z, g in zip(zones["zone_id"], zones.geometry)},
        boundaries=dict(zip(zones["zone_id"], zones["boundary"])),
        labels={z: (p.x, p.y) for z, p in zip(zones["zone_id"], zones.geometry.representative_point())},
        extent=(frame.x.min(), frame.y.min(), frame.x.max(), frame.y.max()),
    )


@lru_cache(maxsize=1)
def _font_files() -> None:
    """Make matplotlib know the CJK faces the PDF uses, wherever fonts.py found them."""
    for bold in (False, True):
        font_manager.fontManager.addfont(str(fonts.cjk_face(bold).path))


def _font(size_px: float, bold: bool = False) -> FontProperties:
    _font_files()
    return FontProperties(family=fonts.FAMILY, weight="bold" if bold else "normal", size=size_px * 72 / _DPI)


def check_size(width_px: object, height_px: object) -> tuple[int, int]:
    """(width, height) as ints between 100 and MAX_PIXELS, or ValueError quoting the bad value."""
    out = []
    for name, value in (("width", width_px), ("height", height_px)):
        if isinstance(value, bool) or not isinstance(value, int) or not 100 <= value <= MAX_PIXELS:
            raise ValueError(f"map {name} {value!r} is not a whole number of pixels from 100 to {MAX_PIXELS}")
        out.append(value)
    return out[0], out[1]


def parse_size(text: str) -> tuple[int, int]:
    """'1920x1080' → (1920, 1080); ValueError quoting the text otherwise."""
    width, sep, height = text.lower().replace("×", "x").partition("x")
    if not sep or not width.strip().isdigit() or not height.strip().isdigit():
        raise ValueError(f"size {text!r} is not WIDTHxHEIGHT in pixels, e.g. 1920x1080")
    return check_size(int(width), int(height))


def _fit(extent: tuple[float, float, float, float], aspect: float) -> tuple[float, float, float, float]:
    """(xmin, xmax, ymin, ymax) holding `extent`, widened or heightened about its centre to `aspect` (w / h)."""
    xmin, ymin, xmax, ymax = extent
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    half_w, half_h = (xmax - xmin) / 2, (ymax - ymin) / 2
    if half_w / half_h < aspect:
        half_w = half_h * aspect
    else:
        half_h = half_w / aspect
    return cx - half_w, cx + half_w, cy - half_h, cy + half_h


def _dashes(dash_array: str | None, unit: float) -> str | tuple:
    """A Leaflet dashArray ("6 4", CSS px) as a matplotlib line style at this image's scale; solid without one."""
    if not dash_array:
        return "solid"
    return (0, tuple(float(d) * unit / 8 * 72 / _DPI for d in dash_array.split()))


def _px(style_weight: float, unit: float) -> float:
    """A Leaflet weight (CSS px on a ~1000 px map) as a matplotlib line width (points) at this image's scale."""
    return style_weight * unit / 8 * 72 / _DPI


def _halo(unit: float) -> list:
    return [patheffects.withStroke(linewidth=unit * 0.45 * 72 / _DPI, foreground="white")]


def _wrap(text: str, width: int) -> str:
    """Wrap a legend note: on spaces for English, anywhere for Chinese (which has none)."""
    if " " in text:
        return textwrap.fill(text, width)
    return "\n".join(text[i:i + width // 2] for i in range(0, len(text), width // 2))


def render_png(shapes: gpd.GeoDataFrame, colours: Colouring, labels: dict[str, str], lang: str, *, width_px: int,
               height_px: int, selected: str | None = None, legend: bool = True, credit: str | None = None,
               text_scale: float = 1.0) -> bytes:
    """The zones of `shapes` (as geo loads them: zone_id, boundary, geometry in WGS-84) filled with `colours`,
    labelled with `labels` (zone id → text), on the offline base map; schematic boundaries dashed, official solid.

    `selected` outlines one zone as the web map does and fades the others; `legend` draws the colouring's
    legend in the lower right; `credit` is a line of small print along the bottom (the map's sources);
    `text_scale` enlarges every text (a small map on paper needs larger type than its pixels suggest).
    """
    width_px, height_px = check_size(width_px, height_px)
    base, zones = _base(), _zones(shapes)
    unit = min(width_px, height_px) / 100  # one hundredth of the short side
    text = unit * text_scale
    fig = Figure(figsize=(width_px / _DPI, height_px / _DPI), dpi=_DPI, facecolor=mapview.BACKGROUND)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_facecolor(mapview.BACKGROUND)

    def layer(paths: list[MplPath], style: dict, z: int) -> None:
        ax.add_collection(PathCollection(paths, facecolors=style["fillColor"], edgecolors=style["color"], zorder=z,
                                         linewidths=_px(style["weight"], unit)))

    layer(base.neighbours, mapview.NEIGHBOUR_STYLE, 1)
    layer(base.xiaoshan, mapview.XIAOSHAN_STYLE, 1)
    layer(base.water, mapview.WATER_STYLE, 2)
    ax.add_collection(PathCollection(base.river_lines, facecolors="none", edgecolors=mapview.WATER_STYLE["fillColor"],
                                     linewidths=_px(mapview.RIVER_LINE_WEIGHT, unit), zorder=2))

    ids = list(zones.paths)
    styles = [mapview.zone_style(zones.boundaries[z]) for z in ids]  # dashed where schematic, solid if official
    fills = [to_rgba(colours.fills.get(z, mapview.NO_FILL), style["fillOpacity"] if selected in (None, z)
                     else FADED_OPACITY) for z, style in zip(ids, styles)]
    ax.add_collection(PathCollection([zones.paths[z] for z in ids], facecolors=fills, edgecolors="none", zorder=3))
    ax.add_collection(PathCollection(
        [zones.paths[z] for z in ids], facecolors="none", edgecolors=[style["color"] for style in styles],
        linewidths=[_px(style["weight"], unit) for style in styles], zorder=4,
        linestyles=[_dashes(style.get("dashArray"), unit) for style in styles]))
    if selected in zones.paths:
        for outline in (mapview.SELECTED_HALO_STYLE, mapview.SELECTED_STYLE):  # as the live map draws it
            ax.add_collection(PathCollection([zones.paths[selected]], facecolors="none", edgecolors=outline["color"],
                                             linewidths=_px(outline["weight"], unit), zorder=5))

    xmin, xmax, ymin, ymax = _fit(zones.extent, width_px / height_px)
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")  # Mercator metres both ways: the shapes keep their form

    district_font = _font(1.9 * text)
    for name_zh, name_en, x, y in base.district_labels.values():
        ax.text(x, y, name_en if lang == "en" else name_zh, fontproperties=district_font,
                color=DISTRICT_LABEL_COLOR, ha="center", va="center", zorder=6, clip_on=True)
    for zone_id, (x, y) in zones.labels.items():
        if zone_id in labels:
            size = 2.6 * text if zone_id == selected else 2.3 * text
            ax.text(x, y, labels[zone_id], fontproperties=_font(size, bold=True), color=LABEL_COLOR,
                    ha="center", va="center", zorder=7, path_effects=_halo(text), clip_on=True)

    if legend:
        _legend(ax, colours, lang, text)
    if credit:
        fig.text(0.005, 0.005, fonts.for_face(credit, lang), fontproperties=_font(1.5 * text), color="#4a5568",
                 ha="left", va="bottom", zorder=9,
                 bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": text * 0.2})
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=_DPI, facecolor=mapview.BACKGROUND)
    return out.getvalue()


def _legend(ax, colours: Colouring, lang: str, unit: float) -> None:
    handles = []
    for item in colours.items:
        label = fonts.for_face(item.label, lang)
        if item.dashed or item.color is None:  # an outline: dashed for schematic boundaries, solid for official
            handles.append(Patch(facecolor="none", edgecolor="#4a5568", linestyle="--" if item.dashed else "-",
                                 label=label, linewidth=_px(2, unit)))
        else:
            handles.append(Patch(facecolor=item.color, edgecolor=(0, 0, 0, 0.25), label=label))
    notes = [_wrap(fonts.for_face(n, lang), NOTE_CHARACTERS) for n in colours.notes]
    handles += [Patch(visible=False, label=n) for n in notes]
    box = ax.legend(handles=handles, title=fonts.for_face(colours.title, lang), loc="lower right",
                    prop=_font(1.8 * unit),
                    title_fontproperties=_font(1.9 * unit, bold=True), frameon=True, framealpha=0.92,
                    borderaxespad=unit * 0.1, handlelength=1.4, handleheight=1.0, alignment="left")
    box.set_zorder(8)
    box.get_frame().set_edgecolor("none")
    for text, handle in zip(box.get_texts(), handles):
        if not handle.get_visible():
            text.set_fontproperties(_font(1.6 * unit))
            text.set_color("#718096")
