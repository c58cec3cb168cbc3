"""The project library: filters that live in the URL, investment bands, keyword search, totals by status.

A filter is a `ProjectFilter`; `from_query`/`to_query` turn it into URL parameters and back
(`?zone=qiaonan,shibei&status=signed&band=10-50&q=芯片`), and `apply` selects the matching projects.
Values in a link that the data does not know come back as `QueryProblem`s for the page to report.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

import pandas as pd

from corpsmap.data import AMOUNT_KINDS, STATUSES, Dataset
from corpsmap.i18n import name_of, t
from corpsmap.summary import amount_text

# Investment bands in 亿元, lower bound inclusive: 1 亿 is in "1-10", 10 亿 in "10-50", 100 亿 in "100-plus".
# The article speaks of 亿元以上, 50亿级 and 百亿级 projects; these edges keep those groups apart.
BAND_EDGES: tuple[tuple[str, float, float], ...] = (
    ("under-1", 0.0, 1.0),
    ("1-10", 1.0, 10.0),
    ("10-50", 10.0, 50.0),
    ("50-100", 50.0, 100.0),
    ("100-plus", 100.0, math.inf),
)
UNKNOWN = "unknown"  # band of a project with no amount; start year of one with no start date
BANDS: tuple[str, ...] = (*(band for band, _, _ in BAND_EDGES), UNKNOWN)
KEYWORD_MAX = 100  # characters; a longer keyword in a link is cut and reported


def band_of(investment: float | None, amount_kind: str | None = "total") -> str:
    """The band id of an amount in 亿元; 'unknown' when the source gives none.

    'at_least' amounts ("50 亿元以上") go in the band of their lower bound. 'financing' amounts are banded
    by their value too: a loan is a lower bound of what the project is worth, and it is the only figure known.
    """
    if pd.isna(investment):
        return UNKNOWN
    if not pd.isna(amount_kind) and amount_kind not in AMOUNT_KINDS:
        raise ValueError(f"amount_kind '{amount_kind}' is not one of {', '.join(AMOUNT_KINDS)}")
    if investment < 0:
        raise ValueError(f"investment {investment!r} is negative")
    for band, low, high in BAND_EDGES:
        if low <= investment < high:
            return band
    raise ValueError(f"investment {investment!r} is not a finite number")


def start_year(start_date: str | None) -> str:
    """'2022' for '2022-03' or '2022-03-15'; 'unknown' when there is no start date."""
    if pd.isna(start_date) or not str(start_date):
        return UNKNOWN
    return str(start_date)[:4]


@dataclass(frozen=True)
class ProjectFilter:
    """What a planner asked for. An empty tuple means "any"; the keyword matches names and notes."""

    zones: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    chains: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    years: tuple[str, ...] = ()
    keyword: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


# URL parameter → ProjectFilter field. `q` is the keyword; every other parameter holds a comma-separated list.
PARAMS: dict[str, str] = {"zone": "zones", "platform": "platforms", "status": "statuses", "chain": "chains",
                          "band": "bands", "year": "years", "q": "keyword"}
LIST_PARAMS = tuple(p for p in PARAMS if p != "q")


@dataclass(frozen=True)
class FilterChoices:
    """The values each filter accepts, in display order (the order the URL lists them in too)."""

    zones: tuple[str, ...]
    platforms: tuple[str, ...]
    statuses: tuple[str, ...]
    chains: tuple[str, ...]
    bands: tuple[str, ...]
    years: tuple[str, ...]


def filter_choices(dataset: Dataset) -> FilterChoices:
    """Zones along the river, platforms and chains as listed in the data, years present, newest first."""
    years = sorted({start_year(d) for d in dataset.projects["start_date"]} - {UNKNOWN}, reverse=True)
    return FilterChoices(
        zones=tuple(dataset.zones.sort_values("river_order")["zone_id"]),
        platforms=tuple(dataset.platforms["platform_id"]),
        statuses=STATUSES,
        chains=tuple(dataset.industry_chains["chain_id"]),
        bands=BANDS,
        years=(*years, UNKNOWN),
    )


@dataclass(frozen=True)
class QueryProblem:
    """A value in the URL that was not understood: `param` is the URL parameter, `value` what it held."""

    param: str
    value: str
    reason: str = "unknown"  # "unknown" value, or "too_long" keyword

    def __str__(self) -> str:
        if self.reason == "too_long":
            return f"{self.param}: keyword longer than {KEYWORD_MAX} characters was cut"
        return f"{self.param}: unknown value '{self.value}'"


def _values(raw: str | Iterable[str] | None) -> list[str]:
    """The items of a comma-separated parameter, repeated parameters joined, blanks and duplicates dropped."""
    if raw is None:
        return []
    parts = [raw] if isinstance(raw, str) else list(raw)
    items = [item.strip() for part in parts for item in str(part).split(",")]
    return list(dict.fromkeys(item for item in items if item))


def from_query(params: Mapping[str, str | list[str]], choices: FilterChoices
               ) -> tuple[ProjectFilter, list[QueryProblem]]:
    """The filter a link asks for, and every value in it that `choices` does not know.

    Ids are matched case-insensitively (`?zone=QiaoNan` works); other parameters (`lang`, `project`) are
    left alone. Unknown values are left out of the filter and returned, so the page can say so.
    """
    problems: list[QueryProblem] = []
    values: dict[str, object] = {}
    for param in LIST_PARAMS:
        field = PARAMS[param]
        known = getattr(choices, field)
        chosen = []
        for item in _values(params.get(param)):
            if item.lower() in known:
                chosen.append(item.lower())
            else:
                problems.append(QueryProblem(param, item))
        # Display order, not link order, so equal filters give equal URLs and table keys.
        values[field] = tuple(v for v in known if v in chosen)
    keyword = params.get("q") or ""
    keyword = " ".join((keyword if isinstance(keyword, str) else " ".join(keyword)).split())
    if len(keyword) > KEYWORD_MAX:
        problems.append(QueryProblem("q", keyword, "too_long"))
        keyword = keyword[:KEYWORD_MAX]
    return ProjectFilter(**values, keyword=keyword), problems


def to_query(project_filter: ProjectFilter) -> dict[str, str]:
    """URL parameters for `project_filter`: comma-separated lists, empty filters left out."""
    query = {}
    for param, field in PARAMS.items():
        value = getattr(project_filter, field)
        if value:
            query[param] = value if isinstance(value, str) else ",".join(value)
    return query


def _fold(text: object) -> str:
    """Text as the keyword search compares it: NFKC (full-width letters and spaces) and case-folded."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    return unicodedata.normalize("NFKC", str(text)).casefold()


SEARCHED = ("name_zh", "name_en", "note_zh", "note_en", "project_id")


def keyword_mask(projects: pd.DataFrame, keyword: str) -> pd.Series:
    """True for projects whose names, notes or id contain every word of `keyword` (any case, any width).

    Notes are searched too: planners look for firms named only there (e.g. 华感科技 in the IC park's note).
    """
    words = _fold(keyword).split()
    if not words:
        return pd.Series(True, index=projects.index)
    haystack = pd.Series([" ".join(_fold(v) for v in row) for row in zip(*(projects[c] for c in SEARCHED))],
                         index=projects.index, dtype=object)
    mask = pd.Series(True, index=projects.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return mask


def with_facets(projects: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """`projects` plus the columns the filters read: platform_id (from the zone), band and year."""
    platform = zones.set_index("zone_id")["platform_id"]
    return projects.assign(
        platform_id=projects["zone_id"].map(platform),
        band=[band_of(v, k) for v, k in zip(projects["investment_yi"], projects["amount_kind"])],
        year=[start_year(d) for d in projects["start_date"]],
    )


def apply(projects: pd.DataFrame, zones: pd.DataFrame, project_filter: ProjectFilter) -> pd.DataFrame:
    """The projects matching every part of `project_filter`, in their original order and columns."""
    facets = with_facets(projects, zones)
    mask = keyword_mask(projects, project_filter.keyword)
    for field, column in (("zones", "zone_id"), ("platforms", "platform_id"), ("statuses", "status"),
                          ("chains", "industry_chain"), ("bands", "band"), ("years", "year")):
        wanted = getattr(project_filter, field)
        if wanted:
            mask &= facets[column].isin(wanted)
    return projects[mask]


@dataclass(frozen=True)
class Totals:
    """Counts and amounts of a set of projects, kept apart by what the amounts mean."""

    count: int
    investment_yi: float  # 'total' amounts plus 'at_least' ones at their lower bound
    lower_bound: bool  # some of investment_yi is an 'at least' amount, so the true sum is higher
    financing_yi: float  # loans and financing: not investment, reported on their own
    without_amount: int


def totals(projects: pd.DataFrame) -> Totals:
    """The totals of `projects` (see `Totals` for which amounts are summed where)."""
    kind = projects["amount_kind"]
    amount = projects["investment_yi"]
    invested = kind.isin(["total", "at_least"])
    return Totals(
        count=len(projects),
        investment_yi=float(amount[invested].sum()),
        lower_bound=bool((kind == "at_least").any()),
        financing_yi=float(amount[kind == "financing"].sum()),
        without_amount=int(amount.isna().sum()),
    )


def format_yi(value: float) -> str:
    """An amount in 亿元 for a total: thousands separated, at most two decimals, no trailing zeros."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text or "0"


def summary_by_status(projects: pd.DataFrame) -> dict[str, Totals]:
    """Totals per status, in the order of the status list, for the statuses that occur."""
    return {status: totals(projects[projects["status"] == status])
            for status in STATUSES if (projects["status"] == status).any()}


def display_names(projects: pd.DataFrame, lang: str) -> pd.Series:
    """Each project's name in `lang`: the English name where one is given, as `name_of` picks it."""
    if lang != "en":
        return projects["name_zh"]
    return projects["name_en"].where(projects["name_en"].fillna("").str.strip() != "", projects["name_zh"])


def _names(frame: pd.DataFrame, key: str, lang: str) -> dict[str, str]:
    """id → name in `lang` for a lookup table (zones, platforms, chains)."""
    return {r[key]: name_of(r, lang) for r in frame.to_dict("records")}


def _labels(values: pd.Series, prefix: str, lang: str) -> pd.Series:
    """Codes turned into their UI labels (`t(prefix + code)`); missing codes stay missing."""
    return values.map(lambda code: t(prefix + code, lang), na_action="ignore")


def project_rows(projects: pd.DataFrame, dataset: Dataset, lang: str) -> pd.DataFrame:
    """`projects` with every code turned into its label in `lang`: what the table and the exports show.

    Keeps the numbers (investment_yi, lat, lon) as numbers, so a spreadsheet can sort and sum them.
    Missing values are NaN, as pandas stores them in text columns. Column by column, as a few thousand rows
    are relabelled on every filter change.
    """
    platform_of = dataset.zones.set_index("zone_id")["platform_id"]
    sources = dataset.sources.set_index("source_id")["title"]
    return pd.DataFrame({
        "project_id": projects["project_id"],
        "name": display_names(projects, lang),
        "name_zh": projects["name_zh"],
        "name_en": projects["name_en"],
        "zone": projects["zone_id"].map(_names(dataset.zones, "zone_id", lang)),
        "platform": projects["zone_id"].map(platform_of).map(_names(dataset.platforms, "platform_id", lang)),
        "kind": _labels(projects["kind"], "kind_", lang),
        "status": _labels(projects["status"], "project_status_", lang),
        "industry_chain": projects["industry_chain"].map(_names(dataset.industry_chains, "chain_id", lang)),
        "investment_yi": projects["investment_yi"],
        "amount_kind": _labels(projects["amount_kind"], "amount_kind_", lang),
        "amount": [amount_text(v, k, lang) for v, k in zip(projects["investment_yi"], projects["amount_kind"])],
        "start_date": projects["start_date"],
        "location_precision": _labels(projects["location_precision"], "precision_", lang),
        "lat": projects["lat"],
        "lon": projects["lon"],
        "public": projects["public"].map({True: t("yes", lang), False: t("no", lang)}),
        "note_zh": projects["note_zh"],
        "note_en": projects["note_en"],
        "provenance": _labels(projects["provenance"], "provenance_", lang),
        "source": projects["source_id"].map(lambda s: sources.get(s, s)),
    }, index=projects.index)


def sort_for_display(projects: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """Zones along the river, then the largest amounts first, projects without an amount last."""
    order = zones.set_index("zone_id")["river_order"]
    return (projects.assign(_zone=projects["zone_id"].map(order))
            .sort_values(["_zone", "investment_yi"], ascending=[True, False], na_position="last", kind="stable")
            .drop(columns="_zone"))
