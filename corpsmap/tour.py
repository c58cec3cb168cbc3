"""The zone tour of the presentation view: the corps overview, then the eight zones along the river, round again.

Plain functions on the data: the order of the tour, stepping and jumping through it, cycling a choice, the
auto-advance interval of a lobby screen, and the keys that drive it (the browser script reads the same table).
"""

from __future__ import annotations

from collections.abc import Sequence

from corpsmap.data import Dataset
from corpsmap.progress import zone_order

OVERVIEW = ""  # the corps overview's place in the tour (no zone selected)

# Seconds between two zones when a lobby screen advances by itself (`?auto=`).
AUTO_MIN_SECONDS = 2
AUTO_MAX_SECONDS = 3600

# What each key does, as KeyboardEvent.key values. Clickers send PageDown/PageUp for next/previous; 1–8 jump to
# a zone (the digit keys are not listed here: their meaning depends on the number of zones).
KEYS: dict[str, tuple[str, ...]] = {
    "next": ("ArrowRight", "PageDown"),
    "previous": ("ArrowLeft", "PageUp"),
    "overview": ("Home", "0", "Escape"),
    "colour": ("c", "C"),
    "indicator": ("i", "I"),
    "month_back": ("[",),
    "month_forward": ("]",),
    "fullscreen": ("f", "F"),
}


def sequence(dataset: Dataset) -> list[str]:
    """The tour: the overview first, then the zones along the river, west to east."""
    return [OVERVIEW, *zone_order(dataset)]


def step(tour: Sequence[str], current: str | None, by: int) -> str:
    """The stop `by` places after `current` (before, if negative), going round; unknown `current` is the overview."""
    position = tour.index(current) if current in tour else 0
    return tour[(position + by) % len(tour)]


def jump(tour: Sequence[str], number: int) -> str | None:
    """The zone numbered `number` along the river (1 is the first zone, 0 the overview); None if there is none."""
    return tour[number] if 0 <= number < len(tour) else None


def cycle(options: Sequence[str], current: str | None, by: int = 1) -> str:
    """The option `by` places after `current`, going round; the first option if `current` is not one."""
    if not options:
        raise ValueError("nothing to choose from")
    if current not in options:
        return options[0]
    return options[(options.index(current) + by) % len(options)]


def shift(options: Sequence[str], current: str | None, by: int) -> str | None:
    """The option `by` places after `current`, stopping at either end (months do not wrap round)."""
    if not options:
        return None
    if current not in options:
        return options[-1]
    return options[min(max(options.index(current) + by, 0), len(options) - 1)]


def auto_seconds(raw: str | None) -> int | None:
    """The auto-advance interval from `?auto=` in whole seconds, or None when the link has none.

    Raises ValueError quoting the value if it is not a whole number of seconds from AUTO_MIN_SECONDS to
    AUTO_MAX_SECONDS.
    """
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()) or not AUTO_MIN_SECONDS <= int(raw) <= AUTO_MAX_SECONDS:
        raise ValueError(f"auto-advance interval {raw!r} is not a whole number of seconds from "
                         f"{AUTO_MIN_SECONDS} to {AUTO_MAX_SECONDS}")
    return int(raw)
