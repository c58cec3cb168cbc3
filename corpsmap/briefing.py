"""The briefing pack for a meeting: a PDF (cover, one page per zone, sources and notes) and the map as a PNG.

A4 landscape. Set in Noto Sans CJK SC (fonts.py), which fpdf2 embeds as a subset: it reads the face out of
Debian's .ttc collection and writes its CFF outlines as a CIDFontType0C font (ReportLab's TTFont refuses CFF
outlines, so it could only have named a font it does not embed). Every page ends with the data's month and
version and its page number. The maps come from staticmap.py, drawn on the server without the internet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from corpsmap import colouring, fonts, geo, progress, staticmap, summary
from corpsmap.data import CORPS, Dataset
from corpsmap.i18n import LANGS, month_label, name_of, t
from corpsmap.progress import latest_month, zone_order
from corpsmap.store import Version

COVER_INDICATOR = "investment"  # the cover's map shows this indicator's lights, as the map page does by default
# The people who read the pack are in Hangzhou: publication times in China Standard Time, as on every page.
DISPLAY_TZ = ZoneInfo("Asia/Shanghai")

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
MARGIN = 12.0
BOTTOM = 193.0  # content ends here; the footer line is below
MAP_DPI = 200  # the maps' resolution on paper
COVER_MAP = (170.0, 112.0)  # mm
PROJECTS_ROOM = 45.0  # mm a zone page keeps for its projects below the indicators
FONT = "NotoSansCJKsc"

INK, MUTED, FAINT = "#1a202c", "#4a5568", "#718096"
RULE, LIGHT_RULE, CARD = "#cbd5e0", "#e2e8f0", "#f7fafc"
NAVY, ILLUSTRATIVE = "#1a365d", "#9c4221"

_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, and optionally a status light before it and a small note under it."""

    text: str
    bold: bool = False
    color: str = INK
    light: str | None = None  # the fill of a status light
    note: str = ""
    note_color: str = FAINT


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    align: str = "L"


def version_line(version: Version, month: str | None, lang: str) -> str:
    """'数据截至 2022年6月 · 第 3 版 · 发布于 2026-12-02 14:05', for the month the pack shows."""
    as_of = month_label(month, lang) if month else "—"
    published = version.published_at.astimezone(DISPLAY_TZ).strftime("%Y-%m-%d %H:%M")
    return t("version_line", lang, month=as_of, number=version.number, published=published)


def file_name(version: Version, month: str | None, lang: str, zone: str | None = None, ext: str = "pdf") -> str:
    """'corpsmap-briefing-2022-06-v3-zh.pdf', with the zone id for a single zone."""
    parts = ["corpsmap-briefing", month or "no-data", f"v{version.number}", *([zone] if zone else []), lang]
    return "-".join(parts) + f".{ext}"


def _check(dataset: Dataset, month: str | None, lang: str, zone: str | None) -> str | None:
    """The month to show (the latest by default); ValueError quoting a bad month, language or zone."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGS)}")
    if zone is not None and zone not in set(dataset.zones["zone_id"]):
        raise ValueError(f"zone {zone!r} is not one of {', '.join(zone_order(dataset))}")
    if month is None:
        return latest_month(dataset)
    progress.check_month(dataset, month)
    return month


def cover_indicator(dataset: Dataset) -> str | None:
    """The indicator whose lights colour the cover's map: investment if the zones report it, else the first."""
    options = progress.zone_indicators(dataset)
    if not options:
        return None
    return COVER_INDICATOR if COVER_INDICATOR in options else options[0]


def _colours(dataset: Dataset, table: pd.DataFrame, month: str | None, lang: str,
             shapes: gpd.GeoDataFrame) -> colouring.Colouring:
    indicator = cover_indicator(dataset)
    official = geo.official_zones(shapes)
    if month is None or indicator is None:  # no observations: only platforms can colour the map
        return colouring.platform_colouring(dataset, lang, official)
    return colouring.status_colouring(table, dataset, indicator, month, lang, official)


def _labels(dataset: Dataset, lang: str) -> dict[str, str]:
    return {r["zone_id"]: name_of(r, lang, "short") for r in dataset.zones.to_dict("records")}


def map_png(dataset: Dataset, month: str | None = None, lang: str = "zh", *, width_px: int = 1920,
            height_px: int = 1080, zone: str | None = None, table: pd.DataFrame | None = None,
            shapes: gpd.GeoDataFrame | None = None) -> bytes:
    """The eight zones coloured by their status lights at `month` (the latest by default) as a PNG of the given
    size, with legend and sources; `zone` outlines one zone. `shapes`: the version's zone boundaries (default:
    the shipped ones)."""
    staticmap.check_size(width_px, height_px)
    month = _check(dataset, month, lang, zone)
    table = progress.progress_table(dataset) if table is None else table
    shapes = geo.load_zone_shapes() if shapes is None else shapes
    return staticmap.render_png(shapes, _colours(dataset, table, month, lang, shapes), _labels(dataset, lang), lang,
                                width_px=width_px, height_px=height_px, selected=zone,
                                credit=t("briefing_map_credit", lang))


class _Document(FPDF):
    """A4 landscape pages in the CJK font, each ending with the version line and 'page N of M'."""

    def __init__(self, lang: str, footer: str, total_pages: int, title: str):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.lang_ = lang
        self.footer_text = footer
        self.total_pages = total_pages
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.c_margin = 0  # tables pad their cells themselves
        for style, bold in (("", False), ("B", True)):
            face = fonts.cjk_face(bold)
            self.add_font(FONT, style, str(face.path), collection_font_number=face.index)
        self.set_title(title)
        self.set_creator("corpsmap")
        self.set_lang("en" if lang == "en" else "zh-CN")

    def footer(self) -> None:
        self.set_draw_color(RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, PAGE_H - 12, PAGE_W - MARGIN, PAGE_H - 12)
        self.set_xy(MARGIN, PAGE_H - 11)
        self.font(7.5, color=FAINT)
        self.cell(PAGE_W - 2 * MARGIN - 40, 5, self.footer_text)
        self.cell(40, 5, t("briefing_page", self.lang_, page=self.page_no(), total=self.total_pages), align="R")

    def font(self, size: float, bold: bool = False, color: str = INK) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(color)

    def lines(self, text: str, width: float, size: float, bold: bool = False) -> int:
        """How many lines `text` takes at `size` in a box `width` wide."""
        self.font(size, bold)
        return len(self.multi_cell(width, 1, text, dry_run=True, output="LINES", wrapmode=_wrap(text)))

    def text_box(self, x: float, y: float, width: float, text: str, size: float, *, bold: bool = False,
                 color: str = INK, align: str = "L", leading: float = 1.35) -> float:
        """Write wrapped text from (x, y); returns the y below it."""
        if not text:
            return y
        self.font(size, bold, color)
        self.set_xy(x, y)
        line_h = size * 0.3528 * leading
        self.multi_cell(width, line_h, text, align=align, wrapmode=_wrap(text), new_x=XPos.LEFT, new_y=YPos.NEXT)
        return self.get_y()

    def badge(self, x: float, y: float, text: str, color: str = MUTED, fill: str = "#edf2f7") -> float:
        """A small rounded label at (x, y); returns its right edge."""
        self.font(7, color=color)
        width = self.get_string_width(text) + 3
        self.set_fill_color(fill)
        self.set_draw_color(RULE)
        self.set_line_width(0.15)
        self.rect(x, y, width, 4.4, style="DF", round_corners=True, corner_radius=1.2)
        self.set_xy(x, y)
        self.cell(width, 4.4, text, align="C")
        return x + width

    def light(self, x: float, y: float, color: str, radius: float = 1.4) -> None:
        self.set_fill_color(color)
        self.circle(x + radius, y, radius, style="F")

    def table(self, x: float, y: float, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *,
              size: float = 8.3, bottom: float = BOTTOM) -> tuple[int, float]:
        """Draw a header and as many whole rows as fit above `bottom` (a row is never cut); returns (rows drawn,
        y below the table)."""
        line_h, note_size, head_size, pad = size * 0.3528 * 1.3, size - 1.5, size - 1, 1.2
        note_h = note_size * 0.3528 * 1.3
        head_h = max(self.lines(c.title, c.width - 2 * pad, head_size, True) for c in columns) * line_h + 2 * pad
        xs = [x + sum(c.width for c in columns[:i]) for i in range(len(columns))]
        for cx, c in zip(xs, columns):
            self.set_xy(cx + pad, y + pad)
            self.font(head_size, True, MUTED)
            self.multi_cell(c.width - 2 * pad, line_h, c.title, align=c.align, wrapmode=_wrap(c.title))
        y += head_h
        self.set_draw_color(RULE)
        self.set_line_width(0.4)
        self.line(x, y, xs[-1] + columns[-1].width, y)
        drawn = 0
        for row in rows:
            heights = []
            for c, cell in zip(columns, row):
                inner = c.width - 2 * pad - (3.8 if cell.light else 0)
                h = self.lines(cell.text, inner, size, cell.bold) * line_h
                if cell.note:
                    h += self.lines(cell.note, inner, note_size) * note_h
                heights.append(h)
            row_h = max(heights) + 2 * pad
            if y + row_h > bottom:
                break
            for cx, c, cell in zip(xs, columns, row):
                tx, inner = cx + pad, c.width - 2 * pad
                if cell.light:
                    self.light(tx, y + pad + line_h / 2, cell.light)
                    tx, inner = tx + 3.8, inner - 3.8
                after = self.text_box(tx, y + pad, inner, cell.text, size, bold=cell.bold, color=cell.color,
                                      align=c.align, leading=1.3)
                if cell.note:
                    self.text_box(tx, after, inner, cell.note, note_size, color=cell.note_color, align=c.align,
                                  leading=1.3)
            y += row_h
            self.set_draw_color(LIGHT_RULE)
            self.set_line_width(0.2)
            self.line(x, y, xs[-1] + columns[-1].width, y)
            drawn += 1
        return drawn, y

    def map_image(self, png: bytes, x: float, y: float, width: float, height: float) -> None:
        self.image(png, x=x, y=y, w=width, h=height)
        self.set_draw_color(RULE)
        self.set_line_width(0.2)
        self.rect(x, y, width, height)


def _wrap(text: str) -> WrapMode:
    """Chinese breaks between any two characters; other text between words."""
    return WrapMode.CHAR if _CJK.search(text) else WrapMode.WORD


def _px(mm: float) -> int:
    return round(mm / 25.4 * MAP_DPI)


@dataclass(frozen=True)
class _Pack:
    dataset: Dataset
    table: pd.DataFrame
    month: str | None
    lang: str
    shapes: gpd.GeoDataFrame  # the zone boundaries of the version
    colours: colouring.Colouring
    official: frozenset[str]  # zones with an official boundary: no "schematic" label

    @property
    def schematic(self) -> bool:
        """Whether any zone's boundary is only schematic."""
        return any(z not in self.official for z in self.dataset.zones["zone_id"])

    def t(self, key: str, **values: object) -> str:
        return fonts.for_face(t(key, self.lang, **values), self.lang)

    def map(self, width_mm: float, height_mm: float, zone: str | None = None) -> bytes:
        # Map text sized for paper: as on the cover's map whatever the map's size.
        return staticmap.render_png(self.shapes, self.colours, _labels(self.dataset, self.lang), self.lang,
                                    width_px=_px(width_mm), height_px=_px(height_mm), selected=zone,
                                    credit=self.t("briefing_map_credit"), text_scale=COVER_MAP[1] / height_mm)

    def month_text(self) -> str:
        return month_label(self.month, self.lang) if self.month else "—"

    def indicator_columns(self, width: float) -> list[Column]:
        # Shares of the width: indicator, actual, target, completion, 序时进度, status.
        shares = (0.28, 0.16, 0.16, 0.13, 0.12, 0.15)
        keys = ("indicator", "actual", "target", "completion", "schedule", "status")
        aligns = ("L", "R", "R", "R", "R", "L")
        return [Column(self.t(k), width * s, a) for k, s, a in zip(keys, shares, aligns)]

    def indicator_rows(self, rows: list[summary.HeadlineRow]) -> list[list[Cell]]:
        out = []
        for r in rows:
            notes = [self.t("illustrative")] if r.illustrative else []
            notes += [self.t("derived")] if r.derived else []
            out.append([Cell(r.label, note=" · ".join(notes), note_color=ILLUSTRATIVE if r.illustrative else FAINT),
                        Cell(r.actual, bold=True), Cell(r.target), Cell(r.completion), Cell(r.schedule),
                        Cell(r.status, light=r.color)])
        return out

    def title(self, pdf: _Document, heading: str, sub: str = "", badge: str = "") -> None:
        """The page's heading (smaller if it is long, never under the running head), a line under it, a badge."""
        right = f"{self.t('app_title')} · {self.t('briefing_title')} · {self.month_text()}"
        pdf.font(8, color=FAINT)
        room = PAGE_W - 2 * MARGIN - pdf.get_string_width(right) - 6
        pdf.set_xy(PAGE_W - MARGIN - 100, 11)
        pdf.cell(100, 5, right, align="R")
        size = 17.0
        pdf.font(size, True)
        while size > 10 and pdf.get_string_width(heading) > room:
            size -= 0.5
            pdf.font(size, True)
        pdf.set_xy(MARGIN, 10)
        pdf.cell(room, 9, heading)
        x = MARGIN
        if sub:
            pdf.font(9, color=MUTED)
            pdf.set_xy(MARGIN, 19.5)
            pdf.cell(pdf.get_string_width(sub) + 2, 4.5, sub)
            x = pdf.get_x() + 1
        if badge:
            pdf.badge(x, 19.6, badge)
        pdf.set_draw_color(RULE)
        pdf.set_line_width(0.4)
        pdf.line(MARGIN, 26, PAGE_W - MARGIN, 26)

    def map_caption(self) -> str:
        indicator = cover_indicator(self.dataset)
        if self.month is None or indicator is None:
            return f"{self.t('color_by')}: {self.t('color_platform')}"
        ind = self.dataset.indicators.set_index("indicator_id").loc[indicator]
        return self.t("briefing_map_caption", indicator=name_of(ind, self.lang), month=self.month_text())

    def cover(self, pdf: _Document) -> None:
        pdf.add_page()
        self.title(pdf, self.t("app_title"), f"{self.t('briefing_title')} · {self.t('app_subtitle')}")
        map_w, map_h = COVER_MAP
        pdf.map_image(self.map(map_w, map_h), MARGIN, 29, map_w, map_h)
        caption = self.map_caption() + (" " + self.t("schematic_note") if self.schematic else "")
        y = pdf.text_box(MARGIN, 142, map_w, caption, 7.5, color=MUTED)
        if self.month is None:
            pdf.text_box(MARGIN, y + 3, map_w, self.t("no_observations"), 9)
        else:
            rows = [r for r in summary.headline_rows(self.table, self.dataset, CORPS, self.month, self.lang,
                                                     headline_only=False) if r.derived]
            if rows:
                y = pdf.text_box(MARGIN, y + 2.5, map_w, self.t("briefing_corps_progress") + " · "
                                 + self.t("as_of", month=self.month_text()), 9.5, bold=True)
                pdf.table(MARGIN, y + 0.5, self.indicator_columns(map_w), self.indicator_rows(rows), size=8)
        self.figures(pdf, MARGIN + map_w + 7, 29, PAGE_W - MARGIN - (MARGIN + map_w + 7))

    def figures(self, pdf: _Document, x: float, y: float, width: float) -> None:
        """The article's corps-wide figures, exactly as printed, as cards in two columns."""
        y = pdf.text_box(x, y - 1, width, self.t("corps_summary"), 11, bold=True)
        pdf.badge(x, y + 0.8, self.t("reported"))
        y = pdf.text_box(x, y + 6, width, self.t("corps_summary_source"), 7.5, color=MUTED) + 2
        figures = summary.reported_figures(self.dataset, self.lang)
        gap = 2.5
        rows = max((len(figures) + 1) // 2, 1)
        card_w, card_h = (width - gap) / 2, min(24.0, (BOTTOM - y) / rows - gap)
        for i, f in enumerate(figures):
            cx, cy = x + (i % 2) * (card_w + gap), y + (i // 2) * (card_h + gap)
            pdf.set_fill_color(CARD)
            pdf.set_draw_color(LIGHT_RULE)
            pdf.set_line_width(0.2)
            pdf.rect(cx, cy, card_w, card_h, style="DF", round_corners=True, corner_radius=1.5)
            number, _, unit = f.value.partition(" ")
            pdf.font(15, True, NAVY)
            pdf.set_xy(cx + 2.5, cy + 1.8)
            pdf.cell(pdf.get_string_width(number) + 0.5, 7, number)
            if unit:
                pdf.font(8.5, True, NAVY)
                pdf.cell(0, 8, " " + unit)
            label_size = 7.5 if pdf.lines(f.label, card_w - 5, 7.5) <= 3 else 6.5
            pdf.text_box(cx + 2.5, cy + 9.8, card_w - 5, f.label, label_size, color=INK, leading=1.25)
        if not figures:
            pdf.text_box(x, y, width, self.t("no_observations"), 9, color=MUTED)

    def zone_page(self, pdf: _Document, zone_id: str) -> None:
        zone = self.dataset.zones.set_index("zone_id").loc[zone_id]
        platform = self.dataset.platforms.set_index("platform_id").loc[zone["platform_id"]]
        other = zone["name_en"] if self.lang == "zh" else zone["name_zh"]
        pdf.add_page()
        schematic = zone_id not in self.official
        self.title(pdf, name_of(zone, self.lang), f"{other} · {name_of(platform, self.lang)}",
                   self.t("schematic") if schematic else "")

        left_w, gap = 118.0, 8.0
        map_h = 92.0
        pdf.map_image(self.map(left_w, map_h, zone_id), MARGIN, 29, left_w, map_h)
        y = pdf.text_box(MARGIN, 29 + map_h + 1, left_w, self.map_caption(), 7.5, color=MUTED) + 2.5
        facts = [(self.t("positioning"), name_of(zone, self.lang, "positioning"))]
        if zone["townships_zh"]:
            facts.append((self.t("townships"), str(zone["townships_zh"])))
        if not pd.isna(zone["size_km2"]):
            facts.append((self.t("size"), self.t("size_value", value=f"{zone['size_km2']:g}")))
        for label, value in facts:
            y = pdf.text_box(MARGIN, y, left_w, label, 8, bold=True, color=MUTED)
            y = pdf.text_box(MARGIN, y + 0.3, left_w, value, 9.5) + 2
        if schematic:
            pdf.text_box(MARGIN, y, left_w, self.t("schematic_note"), 7, color=FAINT)

        x, width = MARGIN + left_w + gap, PAGE_W - 2 * MARGIN - left_w - gap
        as_of = f" · {self.t('as_of', month=self.month_text())}" if self.month else ""
        y = pdf.text_box(x, 28, width, self.t("indicators") + as_of, 10.5, bold=True)
        if self.month is None:
            y = pdf.text_box(x, y + 1, width, self.t("no_observations"), 9, color=MUTED)
        else:
            rows = summary.headline_rows(self.table, self.dataset, zone_id, self.month, self.lang)
            # Leave the projects room for a few rows; indicators that do not fit are counted, never cut.
            drawn, y = pdf.table(x, y + 0.5, self.indicator_columns(width), self.indicator_rows(rows),
                                 bottom=BOTTOM - PROJECTS_ROOM)
            if drawn < len(rows):
                y = pdf.text_box(x, y + 1, width, self.t("briefing_more_rows", count=len(rows) - drawn,
                                                         page=self.t("page_indicators")), 7.5, color=MUTED)
        self.projects(pdf, zone_id, x, y + 5, width)

    def projects(self, pdf: _Document, zone_id: str, x: float, y: float, width: float) -> None:
        y = pdf.text_box(x, y, width, self.t("projects"), 10.5, bold=True)
        projects = summary.zone_projects(self.dataset, zone_id)
        if projects.empty:
            pdf.text_box(x, y + 1, width, self.t("no_projects"), 9, color=MUTED)
            return
        columns = [Column(self.t("name"), width * 0.57), Column(self.t("status"), width * 0.22),
                   Column(self.t("investment"), width * 0.21, "R")]
        rows = []
        for p in projects.itertuples():
            illustrative = p.provenance == "illustrative"
            rows.append([Cell(name_of(p._asdict(), self.lang), note=self.t("illustrative") if illustrative else "",
                              note_color=ILLUSTRATIVE),
                         Cell(self.t("project_status_" + p.status)),
                         Cell(summary.amount_text(p.investment_yi, p.amount_kind, self.lang))])
        # Room for the notes under the table; rows that do not fit are counted, never cut.
        footnotes = 1 + (not any(projects["provenance"] == "article"))
        drawn, y = pdf.table(x, y + 0.5, columns, rows, bottom=BOTTOM - 4.5 * footnotes)
        if drawn < len(rows):
            y = pdf.text_box(x, y + 1, width, self.t("more_projects_count", shown=drawn, total=len(rows)), 7.5,
                             color=MUTED)
        if not any(projects["provenance"] == "article"):
            pdf.text_box(x, y + 1, width, self.t("no_projects"), 7.5, color=MUTED)

    def notes(self, pdf: _Document, version: Version) -> None:
        pdf.add_page()
        self.title(pdf, self.t("briefing_notes_title"))
        width = PAGE_W - 2 * MARGIN
        sections = [
            (self.t("illustrative"), [self.t("illustrative_note"), self.t("about_body").replace("**", ""),
                                      self.t("briefing_badges")]),
            (self.t("schematic"), [self.t("schematic_note"), self.t("briefing_map_credit"),
                                   self.t("briefing_map_official")]) if self.schematic else
            (self.t("page_map"), [self.t("briefing_map_credit"), self.t("briefing_map_official")]),
            (self.t("briefing_status_rules"), [self.t("matrix_caption", points=f"{progress.SLIGHTLY_BEHIND_POINTS:g}",
                                                      rate_points=f"{progress.RATE_SLIGHTLY_BEHIND_POINTS:g}")]),
        ]
        y = 30.0
        for heading, paragraphs in sections:
            y = pdf.text_box(MARGIN, y, width, heading, 10.5, bold=True) + 0.5
            for text in paragraphs:
                y = pdf.text_box(MARGIN, y, width, text, 8.5, color=INK) + 1
            y += 2.5
        y = pdf.text_box(MARGIN, y, width, self.t("about_sources"), 10.5, bold=True) + 0.5
        columns = [Column(self.t("source"), width * 0.27), Column(self.t("briefing_publisher"), width * 0.2),
                   Column(self.t("briefing_date"), width * 0.08), Column(self.t("briefing_note"), width * 0.45)]
        rows = [[Cell(str(s.title), bold=True), Cell(str(s.publisher)), Cell(str(s.date)),
                 Cell(str(s.note) if isinstance(s.note, str) else "", note=str(s.location))]
                for s in self.dataset.sources.itertuples()]
        drawn, y = pdf.table(MARGIN, y, columns, rows, size=8, bottom=BOTTOM - 10)
        if drawn < len(rows):
            y = pdf.text_box(MARGIN, y + 1, width, self.t("briefing_more_rows", count=len(rows) - drawn,
                                                          page=self.t("page_about")), 7.5, color=MUTED)
        pdf.text_box(MARGIN, min(y + 3, BOTTOM - 4), width, version_line(version, self.month, self.lang), 8,
                     color=MUTED)


def briefing_pdf(dataset: Dataset, version: Version, month: str | None = None, lang: str = "zh",
                 zone: str | None = None, table: pd.DataFrame | None = None,
                 shapes: gpd.GeoDataFrame | None = None) -> bytes:
    """The briefing pack as PDF bytes: the cover, a page per zone along the river and the sources and notes; or,
    with `zone`, that zone's page and the notes. `month` defaults to the latest with data.

    `dataset` is what the reader may see (the app passes public rows only in the public demo); `table` is its
    progress table if the caller has it already; `shapes` the version's zone boundaries as geo reads them (default:
    the shipped ones, geodata/zones.geojson). Raises ValueError for an unknown month, zone or language and
    fonts.FontMissing without the CJK font.
    """
    month = _check(dataset, month, lang, zone)
    table = progress.progress_table(dataset) if table is None else table
    shapes = geo.load_zone_shapes() if shapes is None else shapes
    pack = _Pack(dataset, table, month, lang, shapes, _colours(dataset, table, month, lang, shapes),
                 geo.official_zones(shapes))
    zones = [zone] if zone else zone_order(dataset)
    total = len(zones) + (0 if zone else 1) + 1
    title = f"{t('app_title', lang)} · {t('briefing_title', lang)} · {pack.month_text()}"
    pdf = _Document(lang, version_line(version, month, lang), total, title)
    if zone is None:
        pack.cover(pdf)
    for zone_id in zones:
        pack.zone_page(pdf, zone_id)
    pack.notes(pdf, version)
    return bytes(pdf.output())
