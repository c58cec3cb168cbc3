"""AppTest: every page runs; the map page shows the right panel for every `?zone=` and language."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from corpsmap.data import load_dataset

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
ZONES = load_dataset().zones.set_index("zone_id")


def run_app(page: str | None = None, token: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    if token:  # as if the browser had sent the session cookie
        at.session_state["_token"] = token
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "warning", "error")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


SECRET = "app-test-session-secret-0123456789abcdef"


def signed_in(monkeypatch, username: str, role: str, zones=()) -> str:
    """Intranet mode and a real account in the app's store; returns its session token."""
    from corpsmap import accounts
    from corpsmap.store import open_store
    from corpsmap.ui import session

    monkeypatch.setattr(session, "INTRANET", True)
    monkeypatch.setenv("CORPSMAP_SESSION_SECRET", SECRET)
    store = open_store()  # the store the app under test opens (conftest points it at a throwaway folder)
    user = accounts.get_user(store, username) or accounts.add_user(
        store, username, role, password="app test password 1", zones=zones, actor="test")
    return accounts.issue_token(user, SECRET, 3600)


@pytest.fixture
def internal(monkeypatch):
    """Intranet mode, signed in as an admin: every page listed, non-public rows shown."""
    return signed_in(monkeypatch, "apptest-admin", "admin")


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_runs(page, lang, internal):
    at = run_app(page, token=internal, lang=lang)
    assert not at.exception, at.exception


@pytest.mark.parametrize("page", ["pages/data.py", "pages/history.py", "pages/audit.py", "pages/accounts.py"])
def test_public_demo_has_no_data_history_audit_or_accounts_page(page):
    at = run_app()
    with pytest.raises(ValueError):
        at.switch_page(page).run()


@pytest.mark.parametrize("role, pages", [
    ("viewer", {"pages/history.py"}),
    ("zone_editor", {"pages/history.py", "pages/data.py"}),
    ("admin", {"pages/history.py", "pages/data.py", "pages/audit.py", "pages/accounts.py"}),
])
def test_each_role_gets_its_pages_and_no_others(monkeypatch, role, pages):
    token = signed_in(monkeypatch, f"apptest-{role}", role, zones=["linkong"] if role == "zone_editor" else ())
    at = run_app(token=token)
    for page in ("pages/data.py", "pages/history.py", "pages/audit.py", "pages/accounts.py"):
        if page in pages:
            at.switch_page(page).run()
            assert not at.exception, at.exception
        else:
            with pytest.raises(ValueError):
                at.switch_page(page).run()


def test_an_intranet_visitor_sees_a_sign_in_form_and_public_rows_only(monkeypatch):
    signed_in(monkeypatch, "apptest-admin", "admin")
    at = run_app("pages/projects.py")
    assert at.text_input(key="login_name") is not None
    assert "ex-internal-1" not in texts(at)
    with pytest.raises(ValueError):
        at.switch_page("pages/data.py").run()


def test_a_forged_token_is_a_visitor(monkeypatch):
    token = signed_in(monkeypatch, "apptest-admin", "admin")
    at = run_app(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert not at.exception
    with pytest.raises(ValueError):
        at.switch_page("pages/audit.py").run()


def test_a_zone_editor_reports_for_their_zone_only(monkeypatch):
    token = signed_in(monkeypatch, "apptest-li", "zone_editor", zones=["linkong"])
    at = run_app("pages/data.py", token=token)
    assert not at.exception, at.exception
    assert at.selectbox(key="report_zone").options == ["临空"]  # no other zone, no "all zones"
    assert [tab.label for tab in at.tabs] == ["月度报送", "项目", "待发布"]  # no table replacement
    picked = at.selectbox(key="project_pick").options
    assert "ex-internal-1 · 【示例·内部】未公开洽谈项目" in picked  # their zone's internal projects too
    assert all(p.startswith(("＋", "ex-lk-", "ex-internal-1")) for p in picked), picked  # 临空's only
    assert "已登录：apptest-li（兵团填报员）" in texts(at)


def test_data_page_offers_every_table_in_internal_mode(internal):
    at = run_app("pages/data.py", token=internal)
    assert at.selectbox(key="data_table").options == ["sources.csv", "platforms.csv", "industry_chains.csv",
                                                        "zones.csv", "projects.csv", "indicators.csv",
                                                        "observations.csv", "targets.csv"]


@pytest.mark.parametrize("zone_id", list(ZONES.index))
def test_zone_link_shows_that_zones_panel(zone_id):
    at = run_app(zone=zone_id)
    assert not at.exception
    from corpsmap.ui.frame import md_text

    assert [s.value for s in at.subheader][:1] == [md_text(ZONES.loc[zone_id, "name_zh"])]
    assert ZONES.loc[zone_id, "positioning_zh"] in texts(at)


def test_names_from_data_are_text_not_markdown(monkeypatch):
    from dataclasses import replace

    from corpsmap.ui import frame

    data = load_dataset()
    zones = data.zones.copy()
    zones.loc[zones["zone_id"] == "shibei", "name_en"] = "[Shibei](https://example.invalid/phish)"
    monkeypatch.setattr(frame, "_dataset", lambda number, internal: replace(data, zones=zones))
    at = run_app(zone="shibei", lang="en")
    assert not at.exception
    # escaped, and a word joiner after the scheme so that the bare URL is not auto-linked either
    assert at.subheader[0].value == "\\[Shibei\\]\\(https\u2060\\://example\\.invalid/phish\\)"


def test_zone_link_in_english():
    at = run_app(zone="linkong", lang="en")
    assert at.title[0].value == "Xiaoshan Corps Campaign Map"
    assert at.subheader[0].value == "Airport Economy Zone"


def test_no_zone_shows_the_article_figures():
    shown = texts(run_app())
    for figure in ["6.8%", "10.8%", "5.5%", "62.9%", "41.7%", "170.16 亿元", "65.3%", "50.5%", "83.82 亿元",
                   "71.2%", "12.3%"]:
        assert figure in shown


def test_unknown_zone_is_reported_not_a_crash():
    at = run_app(zone="atlantis")
    assert not at.exception
    assert any("atlantis" in w.value for w in at.warning)
    assert "八大兵团 · 2022年上半年成绩单" in [s.value for s in at.subheader]


def test_markdown_in_a_bad_zone_value_is_neutralised():
    at = run_app(zone="[x](http://evil.example)")
    assert not at.exception
    warning = at.warning[0].value
    assert "](http" not in warning and "\\]\\(http" in warning


def test_back_to_all_corps_clears_the_selection():
    at = run_app(zone="shibei")
    at.button(key="clear_zone").click().run()
    assert "zone" not in at.query_params
    assert "八大兵团 · 2022年上半年成绩单" in [s.value for s in at.subheader]


def test_language_switch_updates_url_and_text():
    at = run_app()
    at.radio(key="lang").set_value("en").run()
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"
    assert at.title[0].value == "Xiaoshan Corps Campaign Map"


def test_public_demo_hides_non_public_projects():
    from corpsmap.ui.frame import _dataset

    assert "ex-internal-1" not in set(_dataset(1, False).projects["project_id"])
    assert "ex-internal-1" in set(_dataset(1, True).projects["project_id"])


@pytest.mark.parametrize("page", ["pages/map.py", "pages/indicators.py"])
@pytest.mark.parametrize("query", [{}, {"zone": "linkong"}, {"color": "status"}])
def test_pages_cope_with_a_version_without_observations(page, query, monkeypatch):
    from dataclasses import replace

    from corpsmap.ui import frame

    empty = replace(load_dataset(), observations=load_dataset().observations.iloc[0:0])
    monkeypatch.setattr(frame, "_dataset", lambda number, internal: empty)
    frame._progress.clear()  # cached from the real data by earlier tests
    try:
        at = run_app(page, **query)
        assert not at.exception, at.exception
        assert "当前版本没有任何指标数据。" in texts(at) + "".join(i.value for i in at.info)
    finally:
        frame._progress.clear()



def test_zone_panel_lists_the_first_projects_and_says_how_many_more(monkeypatch):
    from dataclasses import replace

    import pandas as pd

    from corpsmap.ui import frame

    data = load_dataset()
    template = data.projects[data.projects["zone_id"] == "linkong"].iloc[0]
    extra = pd.DataFrame([{**template.to_dict(), "project_id": f"bulk-{i}", "name_zh": f"批量项目{i}",
                           "provenance": "illustrative", "public": True} for i in range(40)])
    many = replace(data, projects=pd.concat([data.projects, extra], ignore_index=True))
    total = int((many.projects["zone_id"] == "linkong").sum())
    monkeypatch.setattr(frame, "_dataset", lambda number, internal: many)
    at = run_app(zone="linkong")
    assert not at.exception
    panel = "".join(m.value for m in at.markdown if "corps-table" in m.value and "批量项目" in m.value)
    assert panel.count("<tr>") == 12 + 1  # header and twelve projects
    assert f"显示 {total} 个项目中的前 12 个（原文项目优先，其余按金额）。" in texts(at)


def _shapes_with(monkeypatch, **changes):
    """The app's zone shapes with some rows changed (zone_id → {column: value}), instead of the shipped file."""
    from corpsmap import geo
    from corpsmap.ui import frame

    shapes = geo.load_zone_shapes()
    for zone_id, values in changes.items():
        for column, value in values.items():
            shapes.loc[shapes["zone_id"] == zone_id, column] = value
    monkeypatch.setattr(frame, "zone_shapes", lambda number=None: shapes)


@pytest.mark.parametrize(("zone_id", "badge"), [("kejicheng", False), ("linkong", True)])
def test_only_zones_without_official_boundaries_carry_the_schematic_badge(monkeypatch, zone_id, badge):
    _shapes_with(monkeypatch, kejicheng={"boundary": "official"})
    at = run_app(zone=zone_id)
    assert not at.exception, at.exception
    facts = "".join(m.value for m in at.markdown if "zone-facts" in m.value)
    assert f"data-zone='{zone_id}'" in facts
    assert ("示意范围" in facts) is badge


@pytest.mark.parametrize("page", ["pages/map.py", "pages/projects.py"])
def test_a_zone_id_the_zones_table_lacks_is_an_error_naming_it_not_a_crash(monkeypatch, page):
    _shapes_with(monkeypatch, kejicheng={"zone_id": "keji"})
    at = run_app(page)
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["地图数据有误："]
    assert "geodata/zones.geojson, feature 6: zone_id 'keji' is not a zone of the zones table" in at.code[0].value


def test_an_admin_adds_a_zone_editor_on_the_accounts_page(internal, monkeypatch):
    from corpsmap.accounts import audit_entries, get_user
    from corpsmap.store import open_store
    from corpsmap.ui import frame

    # AppTest resets Streamlit's pages-directory flag before every run, so the guard would rerun each run and
    # drop a form's submission; a real server clears it once. Off here, so the form can be submitted.
    monkeypatch.setattr(frame, "_leave_pages_directory_mode", lambda: None)

    at = run_app("pages/accounts.py", token=internal)
    at.text_input(key="new_username").input("apptest-wang")
    at.text_input(key="new_password").input("a long enough password")
    at.selectbox(key="new_role").set_value("zone_editor")
    at.multiselect(key="new_zones").set_value(["yinong"])
    next(b for b in at.button if b.label == "新建账号").click()
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    store = open_store()
    user = get_user(store, "apptest-wang")
    assert user is not None and user.role.value == "zone_editor" and user.zones == {"yinong"}
    assert audit_entries(store, action="user_add", actor="apptest-admin")[0].detail.startswith("apptest-wang")
    assert [s.value for s in at.success] == ["已保存：apptest\\-wang"]


def test_a_disabled_account_is_out_at_its_next_action(monkeypatch):
    from corpsmap.accounts import set_disabled
    from corpsmap.store import open_store

    token = signed_in(monkeypatch, "apptest-soon-gone", "viewer")
    at = run_app("pages/history.py", token=token)
    assert [t.value for t in at.title] == ["版本历史"]
    set_disabled(open_store(), "apptest-soon-gone", True, actor="test")
    at.run()  # the next click
    assert "版本历史" not in [t.value for t in at.title]
    assert at.text_input(key="login_name") is not None  # a visitor again, offered the sign-in form


class _Upload:
    """What st.file_uploader returns once a file is chosen (AppTest cannot choose one)."""

    def __init__(self, name: str, content: bytes):
        self.name, self._content = name, content

    def getvalue(self) -> bytes:
        return self._content


@pytest.mark.parametrize("lang, shown, hidden", [("zh", "编号重复", "duplicate id"),
                                                 ("en", "duplicate id", "编号重复")])
def test_a_bad_upload_s_problems_are_shown_in_the_page_language(monkeypatch, internal, lang, shown, hidden):
    import streamlit as st

    from corpsmap.changes import to_csv_text
    from corpsmap.i18n import t

    bad = to_csv_text("sources", load_dataset().sources).replace("research,", "article,", 1)  # a duplicate id
    real = st.file_uploader

    def uploader(label, *args, key=None, **kwargs):
        if key and key.startswith("tables_sources"):
            return _Upload("my-sources.csv", bad.encode("utf-8"))
        return real(label, *args, key=key, **kwargs)

    monkeypatch.setattr(st, "file_uploader", uploader)
    at = run_app("pages/data.py", token=internal, lang=lang)
    assert not at.exception, at.exception
    [table] = [d.value for d in at.dataframe if t("data_problem", lang) in d.value.columns]
    messages = list(table[t("data_problem", lang)])
    assert shown in messages and hidden not in messages
