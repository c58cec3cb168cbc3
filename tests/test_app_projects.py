"""AppTest of the project library: every filter from the URL, unknown values reported, project view, links."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corpsmap import projects
from corpsmap.data import load_dataset
from corpsmap.ui.frame import md_escape

ROOT = Path(__file__).resolve().parents[1]
DATA = load_dataset()
PUBLIC = DATA.projects[DATA.projects["public"]]
# One valid value per URL parameter, and the widget it must land in.
VALID = {"zone": ("qiaonan", ["qiaonan"]), "platform": ("airport", ["airport"]), "status": ("signed", ["signed"]),
         "chain": ("tourism", ["tourism"]), "band": ("10-50", ["10-50"]), "year": ("2022", ["2022"]),
         "q": ("示例", "示例")}


def open_projects(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page("pages/projects.py")
    return at.run()


def table_ids(at: AppTest) -> set[str]:
    """Ids of the projects in the table, matched back by name (the table shows names, not ids)."""
    names = set(at.dataframe[0].value["name"])
    return set(PUBLIC.loc[PUBLIC["name_zh"].isin(names) | PUBLIC["name_en"].isin(names), "project_id"])


def expected_ids(**params) -> set[str]:
    f, problems = projects.from_query(params, projects.filter_choices(DATA))
    assert problems == []
    return set(projects.apply(PUBLIC, DATA.zones, f)["project_id"])


@pytest.mark.parametrize("param", list(VALID))
def test_each_filter_from_the_url(param):
    value, widget_value = VALID[param]
    at = open_projects(**{param: value})
    assert not at.exception, at.exception
    assert not at.warning
    key = f"filter_{param}"
    widget = at.text_input(key=key) if param == "q" else at.multiselect(key=key)
    assert widget.value == widget_value
    assert table_ids(at) == expected_ids(**{param: value})
    assert at.query_params[param] in (value, [value])  # kept in the URL: the view is a link


def test_several_filters_and_comma_lists():
    at = open_projects(zone="qiaonan,yinong", status="signed")
    assert not at.exception
    assert table_ids(at) == {"ex-qn-2", "yn-transfar"}
    assert at.metric[0].value == "2 个"


@pytest.mark.parametrize(("param", "value", "label"), [
    ("zone", "atlantis", "兵团"), ("platform", "moon", "平台"), ("status", "done", "状态"),
    ("chain", "steel", "产业链"), ("band", "10-20", "投资规模"), ("year", "1999", "开工/签约年份"),
])
def test_unknown_values_are_reported_by_name(param, value, label):
    at = open_projects(**{param: f"{value}"})
    assert not at.exception
    assert len(at.warning) == 1
    assert md_escape(value) in at.warning[0].value and label in at.warning[0].value  # as markdown shows it
    assert at.metric[0].value == f"{len(PUBLIC)} 个"  # the unknown value is left out, not guessed at


def test_unknown_value_next_to_known_ones_keeps_the_known():
    at = open_projects(zone="qiaonan,atlantis")
    assert [w.value for w in at.warning] == ["链接中的兵团“atlantis”无法识别，已忽略。"]
    assert at.multiselect(key="filter_zone").value == ["qiaonan"]
    assert at.query_params["zone"] in ("qiaonan", ["qiaonan"])


def test_markdown_in_an_unknown_value_is_neutralised():
    at = open_projects(zone="[x](http://evil.example)")
    assert "](http" not in at.warning[0].value


def test_english_warnings_and_labels():
    at = open_projects(band="huge", lang="en")
    assert at.warning[0].value == "The link's Investment band “huge” is not recognised and was left out."
    assert at.title[0].value == "Projects"


def test_overlong_keyword_is_reported():
    at = open_projects(q="x" * 300)
    assert not at.exception
    assert "100" in at.warning[0].value


def test_changing_a_widget_writes_the_url():
    at = open_projects()
    at.multiselect(key="filter_zone").set_value(["qiaonan", "shibei"]).run()
    at.multiselect(key="filter_band").set_value(["10-50"]).run()
    assert at.query_params["zone"] in ("shibei,qiaonan", ["shibei,qiaonan"])  # display order
    assert at.query_params["band"] in ("10-50", ["10-50"])
    assert table_ids(at) == {"ex-qn-1"}


def test_empty_result_says_so_and_clears():
    at = open_projects(zone="qiaonan", band="100-plus")
    assert not at.dataframe
    assert at.info[0].value == "没有符合筛选条件的项目。"
    at.button(key="clear_filters_empty").click().run()
    assert "zone" not in at.query_params and "band" not in at.query_params
    assert len(table_ids(at)) == len(PUBLIC)


def test_project_link_opens_its_full_record():
    at = open_projects(project="yn-transfar")
    assert not at.exception
    dialog = at.get("dialog")[0]
    assert dialog.proto.dialog.title == "传化高端精细化学品项目"
    card = next(m.value for m in dialog.markdown if "data-project='yn-transfar'" in m.value)
    for text in ["Transfar high-end fine chemicals project", "绿色智造产业新城(益农)", "50 亿元以上",
                 "未标注位置（不在地图上）", "兵团会战齐发力 激发萧山高质量发展新动能",
                 "签约五十亿元以上重点项目1个", "原文"]:
        assert text in card
    back = [link for link in at.page_link if link.proto.icon == ":material/map:"]  # the default page has no path
    assert back and back[0].proto.query_string == "zone=yinong"


def test_illustrative_project_is_badged():
    at = open_projects(project="ex-qn-1", lang="en")
    assert any("Illustrative" in m.value for m in at.markdown)
    card = next(m.value for m in at.markdown if "data-project='ex-qn-1'" in m.value)
    assert "30.203, 120.316 (WGS-84) · Approximate position" in card
    assert [link.proto.query_string for link in at.page_link if link.proto.icon == ":material/map:"] == [
        "zone=qiaonan&lang=en"]


def test_table_highlights_the_open_project_and_follows_the_filter():
    at = open_projects(zone="qiaonan", project="ex-qn-1")
    names = list(at.dataframe[0].value["name"])
    assert at.session_state["project_table"]["selection"]["rows"] == [names.index("【示例】桥南智能装备项目")]
    at.multiselect(key="filter_zone").set_value(["qiaonan", "shibei"]).run()
    names = list(at.dataframe[0].value["name"])
    assert at.session_state["project_table"]["selection"]["rows"] == [names.index("【示例】桥南智能装备项目")]
    at.multiselect(key="filter_zone").set_value(["shibei"]).run()  # the open project is no longer listed
    assert at.session_state["project_table"]["selection"]["rows"] == []


@pytest.mark.parametrize("project", ["nope", "ex-internal-1"])
def test_unknown_or_non_public_project_is_reported(project):
    at = open_projects(project=project)
    assert not at.exception
    assert md_escape(project) in at.warning[0].value
    assert "project" not in at.query_params and not at.get("dialog")


def test_unmapped_projects_are_listed_not_placed():
    at = open_projects(zone="qiaonan")
    assert at.expander[0].label == "未标注位置的项目（3）"
    listed = at.expander[0].markdown[0].value
    for name in ["桥南区块腾笼换鸟三年行动方案", "圣戈班等500强投资项目", "【示例】桥南新材料项目"]:
        assert name in listed
    assert "【示例】桥南智能装备项目" not in listed  # it has a position: on the map, not in the list
    assert any(c.value.startswith("地图显示 1 个有位置的项目；3 个未标注位置") for c in at.caption)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_zone_panel_links_here_with_the_zone_filtered(lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["zone"] = "shibei"
    at.query_params["lang"] = lang
    at.run()
    link = next(link for link in at.page_link if link.proto.page == "projects")
    assert link.proto.query_string == ("zone=shibei" if lang == "zh" else "zone=shibei&lang=en")
