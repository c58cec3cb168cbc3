"""The briefing pack: the PDF's pages, text, fonts and page images (poppler's pdftotext, pdffonts, pdftoppm), the
map as a PNG, the font lookup and the `briefing` command on a temporary SQLite store."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from corpsmap import briefing, fonts, geo, staticmap
from corpsmap.__main__ import main
from corpsmap.data import DATA_DIR
from corpsmap.i18n import t
from corpsmap.progress import zone_order
from corpsmap.store import open_store

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext, pdftoppm)")

# The article's eleven corps-wide first-half figures, exactly as printed (tests/test_app.py shows them on screen).
ARTICLE_FIGURES = ["6.8%", "10.8%", "5.5%", "62.9%", "41.7%", "170.16 亿元", "65.3%", "50.5%", "83.82 亿元", "71.2%",
                   "12.3%"]
ARTICLE_FIGURES_EN = [f.replace(" 亿元", " (100M yuan)") for f in ARTICLE_FIGURES]
INTERNAL_PROJECT = "【示例·内部】未公开洽谈项目"  # the one project with public = false in data/projects.csv


@pytest.fixture(scope="module")
def store_url(tmp_path_factory):
    """A SQLite store seeded from data/ as version 1."""
    url = f"sqlite:///{tmp_path_factory.mktemp('briefing') / 'store.sqlite'}"
    open_store(url, DATA_DIR).engine.dispose()
    return url


@pytest.fixture(scope="module")
def seeded(store_url):
    """(public rows of version 1, the version) as the public demo shows them."""
    store = open_store(store_url, DATA_DIR)
    dataset = store.read(1)
    version = store.version(1)
    store.engine.dispose()
    return replace(dataset, projects=dataset.projects[dataset.projects["public"]]), version


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


FPDF_WARNINGS: dict[str, list[str]] = {}  # per pack: what fpdf2 warned while making it


def make_pack(seeded, tmp_path_factory, lang: str) -> Path:
    handler = _Warnings()
    logging.getLogger("fpdf").addHandler(handler)
    try:
        content = briefing.briefing_pdf(*seeded, lang=lang)
    finally:
        logging.getLogger("fpdf").removeHandler(handler)
    FPDF_WARNINGS[lang] = handler.messages
    path = tmp_path_factory.mktemp("pdf") / f"pack-{lang}.pdf"
    path.write_bytes(content)
    return path


@pytest.fixture(scope="module")
def pack_zh(seeded, tmp_path_factory):
    return make_pack(seeded, tmp_path_factory, "zh")


@pytest.fixture(scope="module")
def pack_en(seeded, tmp_path_factory):
    return make_pack(seeded, tmp_path_factory, "en")


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_text(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def has(text: str, phrase: str) -> bool:
    """`phrase` in `text`, whatever spaces pdftotext put in or left out between Chinese characters and digits."""
    return re.sub(r"\s+", "", phrase) in re.sub(r"\s+", "", text)


def exact(figure: str) -> re.Pattern:
    """`figure` as a whole number: 6.8% must not be found inside 16.8% or 6.85%."""
    return re.compile(rf"(?<![\d.]){re.escape(figure)}(?![\d])")


def test_pack_is_a_cover_a_page_per_zone_along_the_river_and_notes(pack_zh, seeded):
    dataset, _ = seeded
    zones = dataset.zones.set_index("zone_id")
    assert page_count(pack_zh) == 1 + 8 + 1
    cover = page_text(pack_zh, 1)
    assert "萧山兵团会战作战图" in cover and "作战简报" in cover and has(cover, "八大兵团 · 2022年上半年成绩单")
    for number, zone_id in enumerate(zone_order(dataset), start=2):
        text = page_text(pack_zh, number)
        assert zones.loc[zone_id, "name_zh"] in text, (number, zone_id)
        assert "主要指标与序时进度" in text and "项目与举措" in text and "定位" in text
        assert zones.loc[zone_id, "positioning_zh"][:12] in text  # the zone's own positioning, not another's
    notes = page_text(pack_zh, 10)
    assert "来源与说明" in notes and "示意数据" in notes and "示意范围" in notes
    assert "兵团会战齐发力 激发萧山高质量发展新动能" in notes  # the article, among the sources


def test_cover_holds_the_articles_eleven_figures_exactly(pack_zh):
    cover = page_text(pack_zh, 1)
    for figure in ARTICLE_FIGURES:
        assert exact(figure).search(cover), figure


def test_every_page_says_its_month_version_and_number(pack_zh):
    for page in range(1, 11):
        text = page_text(pack_zh, page)
        assert has(text, "数据截至 2022年6月 · 第 1 版 · 发布于 "), page
        assert has(text, f"第 {page} 页 / 共 10 页"), page


def test_zone_page_lists_its_indicators_with_lights_and_its_projects(pack_zh, seeded):
    dataset, _ = seeded
    page = 2 + zone_order(dataset).index("kejicheng")
    text = page_text(pack_zh, page)
    # 科技城's investment at June 2022 in data/observations.csv and targets.csv: 34.03 of 59.23 亿元, 57.5%.
    line = next(line for line in text.splitlines() if line.strip().startswith("投资额"))
    assert re.search(r"投资额\s+34\.03 亿元\s+59\.23 亿元\s+57\.5%\s+50\.0%\s+达到序时", line), line
    assert "萧山科技城全域土地综合整治与生态修复项目(一期)" in text and "融资 15 亿元" in text
    assert "示意数据" in text  # its illustrative values are marked


def test_public_rows_only_unless_asked(seeded, pack_zh, store_url):
    texts = "".join(page_text(pack_zh, p) for p in range(1, 11))
    assert INTERNAL_PROJECT not in texts
    store = open_store(store_url, DATA_DIR)
    everything = store.read(1)
    store.engine.dispose()
    pdf = briefing.briefing_pdf(everything, seeded[1], zone="linkong")
    assert INTERNAL_PROJECT in subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                                              check=True).stdout.decode()


def test_cjk_font_is_embedded_as_a_subset(pack_zh):
    out = subprocess.run(["pdffonts", str(pack_zh)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in out.splitlines()[2:]]
    assert rows, out
    for row in rows:
        name, emb, sub, uni = row[0], row[-5], row[-4], row[-3]
        assert "NotoSansCJKSC" in name and (emb, sub, uni) == ("yes", "yes", "yes"), row


@pytest.mark.parametrize("pack", ["pack_zh", "pack_en"])
def test_no_character_is_missing_from_the_font(pack, request):
    """fpdf2 warns for each character the font has no glyph for: it would print as an empty box."""
    request.getfixturevalue(pack)
    assert FPDF_WARNINGS[pack[-2:]] == []


@pytest.mark.parametrize("pack", ["pack_zh", "pack_en"])
def test_every_page_renders_to_an_a4_landscape_image(pack, request, tmp_path):
    pdf = request.getfixturevalue(pack)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 10
    for path in images:
        image = Image.open(path).convert("L")
        assert abs(image.width / image.height - 297 / 210) < 0.02, path.name
        assert image.getextrema()[0] < 100, path.name  # something dark is drawn: not a blank page


def test_english_pack_has_the_english_names_and_figures(pack_en, seeded):
    dataset, _ = seeded
    zones = dataset.zones.set_index("zone_id")
    assert page_count(pack_en) == 10
    cover = page_text(pack_en, 1)
    assert "Xiaoshan Corps Campaign Map" in cover and "Briefing pack" in cover
    for figure in ARTICLE_FIGURES_EN:
        assert exact(figure).search(cover), figure
    for number, zone_id in enumerate(zone_order(dataset), start=2):
        text = page_text(pack_en, number)
        assert zones.loc[zone_id, "name_en"] in text and zones.loc[zone_id, "name_zh"] in text, zone_id
        assert has(text, f"Page {number} of 10") and has(text, "Data as of Jun 2022 · version 1")
    assert "Sources and notes" in page_text(pack_en, 10)


def test_single_zone_pdf_is_its_page_and_the_notes(seeded, tmp_path):
    pdf = tmp_path / "linkong.pdf"
    pdf.write_bytes(briefing.briefing_pdf(*seeded, month="2022-03", zone="linkong"))
    assert page_count(pdf) == 2
    page = page_text(pdf, 1)
    assert "临空" in page and "Airport Economy Zone" in page
    assert has(page, "截至 2022年3月") and has(page, "数据截至 2022年3月 · 第 1 版") and has(page, "第 1 页 / 共 2 页")
    assert not has(page, "八大兵团 · 2022年上半年成绩单")  # no cover
    assert "来源与说明" in page_text(pdf, 2)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"month": "2023-01"}, "'2023-01' is outside the data"),
    ({"month": "June"}, "'June' is not a month"),
    ({"zone": "atlantis"}, "zone 'atlantis'"),
    ({"lang": "fr"}, "language 'fr'"),
])
def test_bad_choices_are_refused_naming_the_value(seeded, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        briefing.briefing_pdf(*seeded, **kwargs)


def test_map_png_has_the_size_asked_for(seeded):
    dataset, _ = seeded
    for width, height in [(640, 360), (300, 900)]:
        image = Image.open(io.BytesIO(briefing.map_png(dataset, width_px=width, height_px=height, zone="xianghu")))
        assert (image.format, image.size) == ("PNG", (width, height))


@pytest.mark.parametrize(("text", "size"), [("1920x1080", (1920, 1080)), ("800X600", (800, 600)),
                                            ("1280×720", (1280, 720)), (" 640 x 480 ", (640, 480))])
def test_sizes_are_read(text, size):
    assert staticmap.parse_size(text) == size


@pytest.mark.parametrize(("text", "quoted"), [("1920", "'1920'"), ("1920x", "'1920x'"), ("x1080", "'x1080'"),
                                              ("-5x100", "'-5x100'"), ("1.5x100", "'1.5x100'"), ("wide", "'wide'"),
                                              ("99x100", "width 99"), ("100x8001", "height 8001")])
def test_bad_sizes_are_refused_quoting_the_value(text, quoted):
    with pytest.raises(ValueError, match=re.escape(quoted)):
        staticmap.parse_size(text)


def test_missing_font_says_what_to_install(monkeypatch):
    monkeypatch.setattr(fonts, "_fc_match", lambda style: None)
    monkeypatch.setattr(fonts, "KNOWN_FILES", {"Regular": ("/nonexistent/a.ttc",), "Bold": ("/nonexistent/b.ttc",)})
    fonts.cjk_face.cache_clear()
    try:
        with pytest.raises(fonts.FontMissing, match="fonts-noto-cjk"):
            fonts.cjk_face()
    finally:
        fonts.cjk_face.cache_clear()


def test_the_font_is_the_simplified_chinese_face():
    face = fonts.cjk_face()
    assert face.family == "Noto Sans CJK SC" and face.path.is_file()
    assert fonts._face_index(face.path) == face.index  # found by name in the collection too, not only by fc-match


def test_english_text_gets_straight_quotes():
    text = t("illustrative_note", "en")
    assert "“" in text and "“" not in fonts.for_face(text, "en") and '"Illustrative"' in fonts.for_face(text, "en")
    assert fonts.for_face(t("illustrative_note", "zh"), "zh") == t("illustrative_note", "zh")


def test_command_line_writes_the_pack_and_the_map(store_url, tmp_path, capsys):
    pdf, png = tmp_path / "airport.pdf", tmp_path / "map.png"
    assert main(["briefing", "--url", store_url, "--lang", "en", "--zone", "linkong", "--month", "2022-05",
                 "--out", str(pdf), "--png", str(png), "--size", "320x200"]) == 0
    assert "version 1, 2022-05" in capsys.readouterr().out
    assert page_count(pdf) == 2
    text = page_text(pdf, 1)
    assert "Airport Economy Zone" in text and has(text, "Data as of May 2022 · version 1")
    assert "Undisclosed project" not in text  # public rows only by default
    assert Image.open(png).size == (320, 200)

    everything = tmp_path / "internal.pdf"
    assert main(["briefing", "--url", store_url, "--zone", "linkong", "--internal", "--out", str(everything)]) == 0
    assert INTERNAL_PROJECT in page_text(everything, 1)


@pytest.mark.parametrize(("args", "message"), [
    (["--month", "2030-01"], "'2030-01' is outside the data"),
    (["--version", "7"], "there is no version 7"),
    (["--size", "10x10", "--png", "x.png"], "width 10"),
    ([], "needs --out FILE.pdf and/or --png FILE.png"),
])
def test_command_line_refuses_bad_options_with_a_message(store_url, tmp_path, capsys, args, message):
    out = ["--out", str(tmp_path / "x.pdf")] if args and "--png" not in args else []
    assert main(["briefing", "--url", store_url, *args, *out]) != 0
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()


def official(zone_id: str):
    """The shipped zone shapes with `zone_id`'s boundary marked official (as an imported one would be)."""
    shapes = geo.load_zone_shapes()
    return shapes.assign(boundary=[geo.OFFICIAL if z == zone_id else b
                                   for z, b in zip(shapes["zone_id"], shapes["boundary"])])


def test_a_zone_with_an_official_boundary_is_not_called_schematic(seeded):
    shapes = official("linkong")
    for zone_id, schematic in (("linkong", False), ("xianghu", True)):
        pdf = briefing.briefing_pdf(*seeded, zone=zone_id, shapes=shapes)
        text = subprocess.run(["pdftotext", "-l", "1", "-", "-"], input=pdf, capture_output=True,
                              check=True).stdout.decode()
        assert ("示意范围" in text) == schematic, zone_id


def test_command_line_draws_the_boundaries_of_the_version(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    store = open_store(url, DATA_DIR)
    features = json.loads(official("linkong").to_json(drop_id=True))["features"]
    store.publish(lambda current: current, kind="boundaries", author="test",
                  boundaries={f["properties"]["zone_id"]: json.dumps(f) for f in features})
    store.engine.dispose()
    for version, schematic in (("1", True), ("2", False)):
        out = tmp_path / f"v{version}.pdf"
        assert main(["briefing", "--url", url, "--zone", "linkong", "--version", version, "--out", str(out)]) == 0
        assert ("示意范围" in page_text(out, 1)) == schematic, version


def pdf_text(pdf: bytes, last_page: int | None = None) -> str:
    pages = ["-l", str(last_page)] if last_page else []
    return subprocess.run(["pdftotext", *pages, "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def test_projects_that_do_not_fit_are_counted_not_cut(seeded):
    dataset, version = seeded
    template = dataset.projects[dataset.projects["zone_id"] == "linkong"].iloc[0]
    extra = pd.DataFrame([{**template.to_dict(), "project_id": f"many-{i}", "name_zh": f"【示例】第{i:02d}号项目",
                           "investment_yi": 100 - i, "provenance": "illustrative"} for i in range(40)])
    many = replace(dataset, projects=pd.concat([dataset.projects, extra], ignore_index=True))
    total = (many.projects["zone_id"] == "linkong").sum()
    text = pdf_text(briefing.briefing_pdf(many, version, zone="linkong"), last_page=1)
    shown = re.search(rf"显示 {total} 个项目中的前 (\d+) 个", re.sub(r"\s+", " ", text))
    assert shown, text
    listed = [i for i in range(40) if f"第{i:02d}号项目" in text]
    assert listed == list(range(len(listed))) and 0 < len(listed) < 40  # the largest first, then a clean stop
    assert int(shown.group(1)) == len(listed)  # the extras are the largest, so they are the ones shown


def test_a_version_without_observations_still_makes_a_pack(seeded):
    dataset, version = seeded
    empty = replace(dataset, observations=dataset.observations.iloc[0:0])
    pdf = briefing.briefing_pdf(empty, version)
    text = pdf_text(pdf)
    assert text.count("\f") == 10 and "当前版本没有任何指标数据" in text
