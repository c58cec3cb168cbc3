"""`python -m corpsmap briefing`: the briefing pack (PDF) and the map (PNG) from the store, e.g. for a scheduled
job before each meeting.

    python -m corpsmap briefing --out pack.pdf                       # latest version and month, Chinese
    python -m corpsmap briefing --lang en --month 2022-03 --zone linkong --out linkong.pdf
    python -m corpsmap briefing --png map.png --size 1920x1080
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from corpsmap.i18n import LANGS
from corpsmap.store import Store


def add_parser(sub: argparse._SubParsersAction, url_help: str) -> None:
    """The `briefing` command and its options."""
    pack = sub.add_parser("briefing", help="write the briefing pack (PDF) and/or the map as a PNG")
    pack.add_argument("--url", default=None, help=url_help)
    pack.add_argument("--out", metavar="FILE.pdf", help="the PDF: cover, a page per zone, sources and notes")
    pack.add_argument("--png", metavar="FILE.png", help="the map alone, coloured by status, as a PNG")
    pack.add_argument("--size", default="1920x1080", metavar="WxH", help="the PNG's size in pixels (1920x1080)")
    pack.add_argument("--month", default=None, metavar="YYYY-MM", help="the month shown (default: the latest)")
    pack.add_argument("--zone", default=None, metavar="ID", help="one zone only (its page and the notes)")
    pack.add_argument("--lang", default="zh", choices=LANGS, help="language (default: zh)")
    pack.add_argument("--version", type=int, default=None, metavar="N", help="a version (default: the latest)")
    pack.add_argument("--internal", action="store_true",
                      help="include projects not marked public (an intranet meeting; default: public rows only)")


def run(args: argparse.Namespace, store: Store) -> int:
    """Write the files asked for; 2 with a message for a bad option value, a missing font or no output named."""
    # Imported here: matplotlib and fpdf2 take a second to load, which the other commands need not wait for.
    from corpsmap import briefing, geo, progress, staticmap
    from corpsmap.fonts import FontMissing

    if not (args.out or args.png):
        print("error: briefing needs --out FILE.pdf and/or --png FILE.png", file=sys.stderr)
        return 2
    try:
        size = staticmap.parse_size(args.size)
        number = args.version or store.current_number()
        dataset = store.read(number)  # StoreError for a version that does not exist
        version = store.version(number)
        drawn = store.boundaries(number)  # the version's zone boundaries; None: the shipped schematic ones
        shapes = geo.zone_shapes_from_geojson(drawn, f"boundaries of version {number}") if drawn else None
        if not args.internal:  # as the public demo shows it
            dataset = replace(dataset, projects=dataset.projects[dataset.projects["public"]])
        month = args.month or progress.latest_month(dataset)
        if args.out:
            Path(args.out).write_bytes(briefing.briefing_pdf(dataset, version, month, args.lang, args.zone,
                                                             shapes=shapes))
            print(f"wrote {args.out}: version {number}, {month}, {args.lang}"
                  + (f", zone {args.zone}" if args.zone else ""))
        if args.png:
            Path(args.png).write_bytes(briefing.map_png(dataset, month, args.lang, width_px=size[0],
                                                        height_px=size[1], zone=args.zone, shapes=shapes))
            print(f"wrote {args.png}: {size[0]}x{size[1]} map, version {number}, {month}")
    except (ValueError, FontMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
