"""AppTest: every free-text value of the data reaches every public page as text, in both languages.

Each free-text column of the seed gets HTML and Markdown appended (a blank line first in the long texts, as a
multi-line spreadsheet cell has: it would end a raw HTML block, so that Markdown parses what follows). Every
element the pages make is then read back, every string of it, and checked for its context:

* HTML (st.markdown with unsafe_allow_html, st.html, components such as the maps): no raw `<img`, no Markdown link,
  bold or bare URL where Markdown still parses the markup (outside a raw HTML block, as CommonMark reads it);
* Markdown (texts, headings, alerts, labels of buttons, metrics, links, expanders, dialogs, radio options, …):
  no raw `<img`, Markdown link, bold or bare URL, i.e. every one escaped by frame.md_text;
* text (cells of tables, options of select boxes, chart specs): shown as it is, so no HTML entities either.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from corpsmap import geo
from corpsmap.changes import to_csv_text
from corpsmap.data import load_dataset, validate_texts
from corpsmap.ui import controls, frame, map_component, panel, presentation

ROOT = Path(__file__).resolve().parents[1]
SEED = load_dataset()
ZONE_IDS = list(SEED.zones.sort_values("river_order")["zone_id"])

PAYLOAD = " <img src=x onerror=alert(1)> [x](https://evil.invalid) **b**"
PARAGRAPH = "\n\n" + PAYLOAD.strip()  # after a blank line: a paragraph of its own
TEXT_COLUMNS = {
    "sources": {"title": PAYLOAD, "publisher": PAYLOAD, "location": PAYLOAD, "note": PARAGRAPH},
    "platforms": {"name_zh": PAYLOAD, "name_en": PAYLOAD},
    "industry_chains": {"name_zh": PAYLOAD, "name_en": PAYLOAD},
    "zones": {"name_zh": PAYLOAD, "name_en": PAYLOAD, "short_zh": PAYLOAD, "short_en": PAYLOAD,
              "positioning_zh": PARAGRAPH, "positioning_en": PARAGRAPH, "townships_zh": PAYLOAD},
    "projects": {"name_zh": PAYLOAD, "name_en": PAYLOAD, "note_zh": PARAGRAPH, "note_en": PARAGRAPH},
    "indicators": {"name_zh": PAYLOAD, "name_en": PAYLOAD, "unit": PAYLOAD, "unit_en": PAYLOAD},
    "observations": {"note": PARAGRAPH},
}
# A project on the map, with a note: its record opens in a dialog (?project=).
PROJECT = "sb-ic-park"
OFFICIAL_ZONE = "kejicheng"  # one official boundary: the sidebar then names the zones still schematic


def _poisoned(text: object, payload: str) -> str:
    """`text` with `payload` after it (kept, so names stay unique); an empty optional cell becomes the payload."""
    return payload.strip() if pd.isna(text) or text == "" else f"{text}{payload}"


def poisoned_dataset():
    tables = {name: frame_.copy() for name, frame_ in SEED.tables.items()}
    for name, columns in TEXT_COLUMNS.items():
        for column, payload in columns.items():
            tables[name][column] = tables[name][column].map(lambda v, p=payload: _poisoned(v, p)).astype("str")
    return replace(SEED, **tables)


POISONED = poisoned_dataset()

# What data must never become once it is on the page.
RAW_HTML = re.compile(r"<img|\\u003cimg", re.IGNORECASE)  # a tag, also as JSON writes it
MARKDOWN = [("a raw tag", re.compile(r"(?<!\\)<img", re.IGNORECASE)),
            ("a link", re.compile(re.escape("[x]("))),
            ("bold", re.compile(re.escape("**b**"))),
            ("a bare URL (auto-linked)", re.compile(re.escape("https://evil")))]
ENTITY = re.compile(r"&lt;img|&amp;lt;")  # escaped where it is shown as text: the reader would see "&lt;"

# CommonMark's raw HTML blocks (spec 4.6), where Markdown does not parse: type 1 (script, pre, style, textarea)
# ends at the line with its end tag, type 6 (block-level tags) at a blank line.
_BLOCK_TAGS = ("address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|"
               "dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h[1-6]|head|header|hr|html|"
               "iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|optgroup|option|p|param|search|section|"
               "summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul")
_TYPE1_START = re.compile(r" {0,3}<(script|pre|style|textarea)(\s|>|$)", re.IGNORECASE)
_TYPE1_END = re.compile(r"</(script|pre|style|textarea)>", re.IGNORECASE)
_TYPE6_START = re.compile(rf" {{0,3}}</?({_BLOCK_TAGS})(\s|/?>|$)", re.IGNORECASE)


def markdown_lines(body: str) -> str:
    """The lines of unsafe-HTML markdown that Markdown still parses: those outside raw HTML blocks."""
    parsed, end = [], None
    for line in re.split(r"\r\n|\r|\n", body):
        if end is None:
            end = _TYPE1_END if _TYPE1_START.match(line) else "blank" if _TYPE6_START.match(line) else None
            if end is None:
                parsed.append(line)
                continue
        if (end == "blank" and not line.strip()) or (end != "blank" and end.search(line)):
            end = None
    return "\n".join(parsed)


def _strings(message: Message, path: str = ""):
    """(field path, value) of every string in a protobuf message, however deep."""
    for field, value in message.ListFields():
        name = f"{path}.{field.name}" if path else field.name
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            values = value.values()
        elif field.is_repeated:
            values = value
        else:
            values = [value]
        for item in values:
            if isinstance(item, Message):
                yield from _strings(item, name)
            elif isinstance(item, str):
                yield name, item


TEXT_KINDS = {"arrow_data_frame", "dataframe", "arrow_vega_lite_chart", "vega_lite_chart", "selectbox",
              "multiselect", "text_input"}
TEXT_FIELDS = {"options", "default", "raw_value", "raw_values", "value", "placeholder", "spec", "columns"}


def contexts(node):
    """(kind, context, text) of every string an element (or block) of the page carries."""
    kind = getattr(node, "type", type(node).__name__)
    proto = getattr(node, "proto", None)
    if kind in ("arrow_data_frame", "dataframe"):
        cells = node.value
        for text in [*map(str, cells.columns), *(str(v) for v in cells.to_numpy().ravel())]:
            yield kind, "text", text
    if isinstance(proto, Message):
        for field, text in _strings(proto):
            if kind == "markdown" and field == "body":
                yield kind, "html" if proto.allow_html else "markdown", text
            elif kind in ("html", "component_instance", "bidi_component"):  # HTML, or HTML and script
                yield f"{kind}.{field}", "html", text
            elif kind in TEXT_KINDS and field.split(".")[-1] in TEXT_FIELDS:
                yield f"{kind}.{field}", "text", text
            else:  # labels, titles, help: Streamlit renders Markdown in all of them
                yield f"{kind}.{field}", "markdown", text
    for child in getattr(node, "children", {}).values():
        yield from contexts(child)


def _snippet(text: str, match: re.Match) -> str:
    return repr(text[max(0, match.start() - 60):match.end() + 40])


def problems(at: AppTest) -> list[str]:
    """What of the data reached the page as HTML or Markdown instead of text: kind, context and a snippet each."""
    found = []
    for kind, context, text in contexts(at._tree):
        if context == "text":
            checks = [("an HTML entity shown as text", ENTITY)]
        elif context == "html":
            checks = [("a raw tag", RAW_HTML)]
            if kind == "markdown":
                parsed = markdown_lines(text)
                found += [f"{kind} (unsafe HTML, as Markdown): {what}: {_snippet(parsed, m)}"
                          for what, pattern in MARKDOWN[1:] if (m := pattern.search(parsed))]
        else:
            checks = MARKDOWN
        found += [f"{kind} ({context}): {what}: {_snippet(text, m)}"
                  for what, pattern in checks if (m := pattern.search(text))]
    return list(dict.fromkeys(found))


def _clear_caches() -> None:
    # Kept by version number: the poisoned data must be rendered afresh, and must not linger for other tests.
    for cache in (frame._progress, presentation._panel_markup, presentation._colouring, controls._colouring,
                  panel._zone_data, map_component._rendered, map_component._feature_group):
        cache.clear()


@pytest.fixture
def poisoned(monkeypatch):
    monkeypatch.setattr(frame, "_dataset", lambda number, internal: POISONED)
    shapes = geo.load_zone_shapes()
    shapes.loc[shapes["zone_id"] == OFFICIAL_ZONE, "boundary"] = geo.OFFICIAL
    monkeypatch.setattr(frame, "zone_shapes", lambda number=None: shapes)
    _clear_caches()
    yield
    _clear_caches()


VIEWS = [
    *[("pages/map.py", {"zone": zone}) for zone in ZONE_IDS],
    ("pages/map.py", {"color": "status", "ind": "nope"}),  # no zone; a bad link names the default indicator
    ("pages/indicators.py", {"zone": "linkong", "ind": "nope"}),
    ("pages/projects.py", {"project": PROJECT}),  # the library, and the project's record in a dialog
    ("pages/about.py", {}),
    ("pages/map.py", {"present": "1"}),
    ("pages/map.py", {"present": "1", "zone": "shibei", "color": "status", "ind": "nope"}),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("page", "query"), VIEWS,
                         ids=[f"{Path(p).stem}?{'&'.join(f'{k}={v}' for k, v in q.items())}" for p, q in VIEWS])
def test_data_reaches_the_page_as_text(poisoned, page, query, lang):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params.update(query, lang=lang)
    at.switch_page(page)
    at.run()
    where = f"{page}?{'&'.join(f'{k}={v}' for k, v in {**query, 'lang': lang}.items())}"
    assert not at.exception, f"{where}: {[e.value for e in at.exception]}"
    shown = "\n".join(text for _, _, text in contexts(at._tree))
    assert "evil.invalid" in shown.replace("\u2060", "").replace("\\", ""), f"{where}: the data is not shown at all"
    found = problems(at)
    assert not found, f"{where}: data reaches the page as markup:\n" + "\n".join(found[:20])


def test_the_poisoned_data_passes_the_apps_own_checks():
    assert validate_texts({name: to_csv_text(name, table) for name, table in POISONED.tables.items()}) is not None
    for name, columns in TEXT_COLUMNS.items():
        for column in columns:
            assert POISONED.tables[name][column].str.endswith("**b**").all(), (name, column)


def test_markdown_lines_follow_commonmarks_raw_html_blocks():
    css = "\n<style>\n.a{b:c}\n</style>\n"
    assert markdown_lines(css + "<div>[x](y)</div>") == ""
    assert markdown_lines(css + "<div>a\n\n[x](y)</div>") == "\n[x](y)</div>"
    assert markdown_lines("<span>[x](y)</span>") == "<span>[x](y)</span>"  # inline HTML: a Markdown paragraph
    assert markdown_lines("<p><i>a</i></p>[x](y)") == ""
