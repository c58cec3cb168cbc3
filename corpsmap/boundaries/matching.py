"""Matching the features of a boundary file to the zones by one attribute: names, short names or ids.

Bureau files name a zone in many ways: "绿色智造产业新城（益农）", "益农兵团", "临空经济示范区", "萧山科技城",
"KEJICHENG". Both sides are normalised (NFKC folds full-width brackets and letters, case and spaces are dropped)
and stripped of the usual prefixes and suffixes; a value naming exactly one zone matches it. A zone's short name
found inside a longer value is a "partial" match, which the checks ask a person to confirm.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

# How a feature was matched, from the surest to the least sure.
BY_ID, BY_NAME, BY_VARIANT, PARTIAL, OVERRIDE = "id", "name", "name variant", "partial", "override"
AMBIGUOUS, UNMATCHED, DROPPED = "ambiguous", "unmatched", "dropped"

# Words around a zone's name in official documents: the place, the platform's kind, "corps", "block".
_PREFIXES = ("杭州市萧山区", "杭州市", "杭州", "萧山区", "萧山", "经济技术开发区", "开发区", "钱江")
_SUFFIXES = ("兵团", "经济示范区", "示范区", "国家旅游度假区", "旅游度假区", "度假区", "区块", "片区", "板块", "新城",
             "范围线", "范围", "边界", "规划区", "区域", "平台")
_SEPARATORS = re.compile(r"[\s\u200b\ufeff·・._\-—–/、,，:：;；'\"“”‘’]+")
_BRACKETS = re.compile(r"[(\[{【〔〖《<]([^)\]}】〕〗》>]*)[)\]}】〕〗》>]")


def normalize(value: object) -> str:
    """Comparable text: NFKC (full-width → half-width), lower case, no spaces or separators."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value)).lower()
    return _SEPARATORS.sub("", text)


def _strip_affixes(text: str) -> str:
    changed = True
    while changed and text:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                text, changed = text[len(prefix):], True
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, changed = text[:-len(suffix)], True
    return text


def variants(value: object) -> set[str]:
    """The forms a name may be compared in: as written, without its bracketed part, the bracketed part alone,
    and each of these without the usual prefixes and suffixes."""
    text = normalize(value)
    forms = {text, _BRACKETS.sub("", text), *_BRACKETS.findall(text)}
    forms |= {_strip_affixes(f) for f in forms}
    return {f for f in forms if f}


@dataclass(frozen=True)
class ZoneKeys:
    """What each zone may be called: exact keys (ids, names) and variant keys (stripped forms)."""

    exact: dict[str, set[str]]
    variant: dict[str, set[str]]
    short: dict[str, set[str]]  # short names, for partial matches

    @classmethod
    def of(cls, zones: pd.DataFrame) -> ZoneKeys:
        exact: dict[str, set[str]] = {}
        variant: dict[str, set[str]] = {}
        short: dict[str, set[str]] = {}
        for z in zones.to_dict("records"):
            zone_id = z["zone_id"]
            names = [z.get(c) for c in ("name_zh", "short_zh", "name_en", "short_en") if z.get(c)]
            exact[zone_id] = {normalize(zone_id), *(normalize(n) for n in names)}
            variant[zone_id] = set().union(*(variants(n) for n in [zone_id, *names]))
            short[zone_id] = {normalize(z[c]) for c in ("short_zh",) if z.get(c) and len(normalize(z[c])) >= 2}
        return cls(exact, variant, short)


def match_value(value: object, keys: ZoneKeys) -> tuple[str | None, str]:
    """(zone_id, how) for one attribute value; (None, AMBIGUOUS or UNMATCHED) if it names no single zone."""
    if value is None or (isinstance(value, float) and value != value) or not normalize(value):
        return None, UNMATCHED
    text = normalize(value)
    for how, table, forms in ((BY_NAME, keys.exact, {text}), (BY_VARIANT, keys.variant, variants(value))):
        found = {z for z, k in table.items() if k & forms}
        if len(found) == 1:
            zone_id = found.pop()
            return zone_id, BY_ID if how == BY_NAME and text == normalize(zone_id) else how
        if len(found) > 1:
            return None, AMBIGUOUS
    found = {z for z, k in keys.short.items() if any(s in text for s in k)}
    if len(found) == 1:
        return found.pop(), PARTIAL
    return None, AMBIGUOUS if found else UNMATCHED


@dataclass(frozen=True)
class FeatureMatch:
    """One feature of the file and the zone it goes to (None: not imported)."""

    feature: int  # 1-based, in the file's order
    value: str  # the name attribute's text ("" if none)
    zone_id: str | None
    how: str


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value)


def _candidate_columns(table: pd.DataFrame) -> list[str]:
    """Columns that may hold names or ids: text ones (numbers never name a zone)."""
    columns = []
    for column in table.columns:
        if column == "geometry":
            continue
        series = table[column]
        if pd.api.types.is_string_dtype(series) or pd.api.types.is_object_dtype(series):
            columns.append(column)
    return columns


def rate_column(values: Iterable[object], keys: ZoneKeys) -> tuple[int, int, int]:
    """(zones named surely, zones named at all, features matched) by a column's values: higher is better."""
    sure: set[str] = set()
    named: set[str] = set()
    features = 0
    for value in values:
        zone_id, how = match_value(value, keys)
        if zone_id:
            features += 1
            named.add(zone_id)
            if how != PARTIAL:
                sure.add(zone_id)
    return len(sure), len(named), features


def propose_name_field(table: pd.DataFrame, zones: pd.DataFrame) -> str | None:
    """The column whose values name the most zones, or None if no column names any."""
    keys = ZoneKeys.of(zones)
    rated = [(rate_column(table[c], keys), -i, c) for i, c in enumerate(_candidate_columns(table))]
    rated = [r for r in rated if r[0][1] > 0]
    return max(rated)[2] if rated else None


def zones_named(table: pd.DataFrame, zones: pd.DataFrame) -> int:
    """How many zones the best column of an attribute table names (to choose among a file's layers)."""
    keys = ZoneKeys.of(zones)
    return max((rate_column(table[c], keys)[1] for c in _candidate_columns(table)), default=0)


def match_features(table: pd.DataFrame, field: str | None, zones: pd.DataFrame,
                   overrides: Mapping[int, str | None] | None = None) -> list[FeatureMatch]:
    """Each feature's zone by `field` (None: no field, every feature unmatched), then the overrides.

    `overrides` maps a feature number (1-based) to a zone id, or to None/"" to leave the feature out; ids are
    checked by the caller against the zones table.
    """
    keys = ZoneKeys.of(zones)
    overrides = dict(overrides or {})
    matches = []
    for number, value in enumerate(table[field] if field else [None] * len(table), start=1):
        zone_id, how = match_value(value, keys) if field else (None, UNMATCHED)
        if number in overrides:
            wanted = overrides[number] or None
            zone_id, how = wanted, OVERRIDE if wanted else DROPPED
        matches.append(FeatureMatch(number, _text(value), zone_id, how))
    return matches
