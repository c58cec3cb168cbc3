"""Command line for scripted or remote use: `python -m corpsmap db|users|audit|boundaries …`.

`users` manages the local accounts (the first admin is created here: there is no default password) and
`audit` reads the audit log. Each takes `--url` like `db`; account changes are audited as "cli:<os user>".
`boundaries import` reads and checks an official boundary file against the store's zones and projects.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime
from pathlib import Path

import pandas as pd
from alembic import command

from corpsmap import accounts, boundaries, briefing_cli, geo, workflow
from corpsmap.accounts.audit import as_utc
from corpsmap.data import DataError
from corpsmap.store import Store, StoreError, alembic_config, database_url, open_store


def _db(args: argparse.Namespace) -> int:
    store = open_store(args.url)  # migrates and seeds, so `db upgrade` is just this
    if args.action == "revision":
        with store.engine.connect() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.revision(config, message=args.message, autogenerate=True)
    elif args.action == "versions":
        for v in store.versions():
            print(f"{v.number}\t{v.published_at:%Y-%m-%d %H:%M}Z\t{v.kind}\t{v.author}\t{v.data_month or '-'}\t"
                  f"{v.comment}")
    elif args.action == "rollback":
        version = store.rollback(args.to, author=args.author)
        print(f"published version {version.number} (equal to version {args.to})")
    else:
        print(f"store at version {store.current_number()}")
    return 0


def _cli_actor() -> str:
    """Who runs the command, as the audit log records it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name in the environment or the password database
        return f"cli:uid {os.getuid()}"


def _new_password(args: argparse.Namespace) -> str:
    """The new password: one line from stdin with --password-stdin, else typed twice (never an argument)."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("new password: ")
    if getpass.getpass("again: ") != password:
        raise accounts.AccountError("the two passwords differ")
    return password


def _print_user(user: accounts.User) -> None:
    print("\t".join([user.username, user.role.value, ",".join(sorted(user.zones)) or "-",
                     "disabled" if user.disabled else "enabled", "password" if user.password_changed_at else "sso",
                     user.display_name or "-", user.email or "-"]))


def _users(args: argparse.Namespace, store: Store) -> int:
    actor = _cli_actor()
    if args.action == "add":
        password = None if args.no_password else _new_password(args)
        user = accounts.add_user(store, args.username, args.role, password=password,
                                 display_name=args.display_name, email=args.email, zones=args.zone, actor=actor)
        print(f"added {user.describe()}")
    elif args.action == "list":
        for user in accounts.list_users(store):
            _print_user(user)
    elif args.action in ("disable", "enable"):
        user = accounts.set_disabled(store, args.username, args.action == "disable", actor=actor)
        print(f"{args.action}d {user.describe()}")
    elif args.action == "reset-password":
        user = accounts.reset_password(store, args.username, _new_password(args), actor=actor)
        print(f"new password for {user.username}; its other sessions have ended")
    elif args.action == "set-role":
        user = accounts.set_role_and_zones(store, args.username, args.role, args.zone, actor=actor)
        print(f"now {user.describe()}")
    return 0


def _audit(args: argparse.Namespace, store: Store) -> int:
    entries = accounts.audit_entries(store, since=args.since, until=args.until, actor=args.actor,
                                     action=args.action_name, limit=args.limit)
    if args.action == "export":
        Path(args.file).write_bytes(accounts.audit_csv(entries))
        print(f"wrote {len(entries)} entries to {args.file}")
        return 0
    for e in entries:
        where = " ".join(f"{k}={v}" for k, v in (("version", e.version), ("zone", e.zone_id), ("month", e.month),
                                                  ("file", e.filename), ("sha256", e.sha256)) if v is not None)
        print("\t".join([f"{e.at:%Y-%m-%d %H:%M:%S}Z", e.actor, e.client or "-", e.action, e.outcome,
                         where or "-", e.detail or "-"]))
    return 0


def _boundaries(args: argparse.Namespace, store: Store) -> int:
    content = Path(args.file).read_bytes()
    based_on = store.current_number()
    dataset = store.read(based_on)
    try:
        result = boundaries.import_boundaries(
            content, Path(args.file).name, dataset, current=_zone_shapes(store, based_on),
            layer=args.layer, crs=args.crs, gcj02=args.gcj02,
            encoding=args.encoding, name_field=args.name_field, overrides=dict(args.match), basis=args.basis)
    except ValueError as exc:  # the file refused (a DataError naming it), or a bad --crs
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _print_import(result, len(content), args.rows)
    if not result.ok:
        print(f"not imported: {len(result.errors)} error(s) above", file=sys.stderr)
        return 1
    if args.dry_run:
        print("dry run: nothing was written")
        return 0
    if args.out:
        Path(args.out).write_text(result.geojson(), encoding="utf-8")
        print(f"wrote {len(result.zones)} zones ({len(result.imported)} official) to {args.out}")
        return 0
    try:
        version = workflow.publish_boundaries(store, _cli_actor(), result.geojson(), filename=Path(args.file).name,
                                              content=content, based_on=based_on)
    except StoreError as exc:  # NoChange: the same boundaries again; StaleVersion: someone published meanwhile
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"published version {version.number}: {len(result.imported)} official zone(s)")
    return 0


def _zone_shapes(store: Store, number: int):
    """The zone shapes in use at version `number` (imported ones, or the shipped schematic ones)."""
    text = store.boundaries(number)
    return geo.zone_shapes_from_geojson(text, f"boundaries of version {number}") if text else None


def _print_import(result: boundaries.BoundaryImport, size: int, rows: int) -> None:
    source = result.source
    how = {"file": "from the file", "given": "as given", "proposed": "PROPOSED, not confirmed",
           "unknown": "unknown"}[result.crs.source]
    print(f"file: {source.file} ({source.format}, {size:,} bytes)")
    others = f" (layers: {', '.join(source.layers)})" if len(source.layers) > 1 else ""
    print(f"layer: {source.layer}{others}")
    print(f"coordinate system: {result.crs.label} ({how})")
    print(f"text encoding: {source.encoding} ({source.encoding_source})")
    preview = source.preview(rows)
    print(f"attributes (first {len(preview)} of {len(source.frame)} features):")
    with pd.option_context("display.unicode.east_asian_width", True, "display.width", 200,
                           "display.max_columns", 20, "display.max_colwidth", 40):
        print("  " + preview.to_string().replace("\n", "\n  ") if not preview.empty else "  (none)")
    print(f"name attribute: {result.name_field or '(none)'}")
    print("matches:")
    for m in result.matches:
        print(f"  feature {m.feature}\t{m.value or '-'}\t-> {m.zone_id or '(not imported)'}\t({m.how})")
    print("checks:")
    for check in result.checks:
        print(f"  {check}")
    kept = len(result.zones) - len(result.imported)
    print(f"result: {len(result.imported)} zone(s) with an official boundary from the file, {kept} keeping their "
          f"current one; {len(result.errors)} error(s), {len(result.warnings)} warning(s)")


def _feature_match(text: str) -> tuple[int, str | None]:
    """A --match value: 'N=ZONE_ID' assigns feature N to a zone, 'N=' leaves it out."""
    number, sep, zone_id = text.partition("=")
    if not sep or not number.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not N=ZONE_ID (or N= to leave feature N out)")
    return int(number), zone_id.strip() or None


def _moment(text: str) -> datetime:
    """A --since/--until value: an ISO date or date and time, in UTC unless it names a zone."""
    try:
        return as_utc(datetime.fromisoformat(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD[THH:MM])") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m corpsmap")
    sub = parser.add_subparsers(dest="command", required=True)
    url_help = f"database URL (default: {database_url()})"
    # --url goes before or after the action: the action's copy only overrides when it is given.
    url_after = argparse.ArgumentParser(add_help=False)
    url_after.add_argument("--url", default=argparse.SUPPRESS, help=url_help)

    db = sub.add_parser("db", help="the data store")
    db.add_argument("--url", default=None, help=url_help)
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser("upgrade", help="apply migrations; load data/ into an empty store", parents=[url_after])
    revision = actions.add_parser("revision", help="write a migration for changed models (review it!)",
                                  parents=[url_after])
    revision.add_argument("message")
    actions.add_parser("versions", help="list the versions, newest first", parents=[url_after])
    rollback = actions.add_parser("rollback", help="publish a new version equal to an old one", parents=[url_after])
    rollback.add_argument("to", type=int)
    rollback.add_argument("--author", required=True)

    users = sub.add_parser("users", help="local accounts")
    users.add_argument("--url", default=None, help=url_help)
    actions = users.add_subparsers(dest="action", required=True)
    stdin_help = "read the password from the first line of stdin (for scripts) instead of asking twice"
    add = actions.add_parser("add", help="add an account (the first admin is made this way)", parents=[url_after])
    add.add_argument("username")
    add.add_argument("--role", required=True, help="viewer, zone_editor or admin")
    add.add_argument("--zone", action="append", default=[], help="a zone a zone editor reports for (repeat)")
    add.add_argument("--display-name", default="")
    add.add_argument("--email", default=None, help="how single sign-on finds the account")
    login = add.add_mutually_exclusive_group()
    login.add_argument("--password-stdin", action="store_true", help=stdin_help)
    login.add_argument("--no-password", action="store_true", help="single sign-on only: no local password")
    actions.add_parser("list", help="list the accounts", parents=[url_after])
    for name, text in (("disable", "disable an account (out at its next action)"), ("enable", "enable it again")):
        actions.add_parser(name, help=text, parents=[url_after]).add_argument("username")
    reset = actions.add_parser("reset-password", help="set a new password; ends the account's sessions",
                               parents=[url_after])
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", help=stdin_help)
    set_role = actions.add_parser("set-role", help="change an account's role and zones", parents=[url_after])
    set_role.add_argument("username")
    set_role.add_argument("--role", required=True, help="viewer, zone_editor or admin")
    set_role.add_argument("--zone", action="append", default=[], help="a zone a zone editor reports for (repeat)")

    audit = sub.add_parser("audit", help="the audit log")
    audit.add_argument("--url", default=None, help=url_help)
    actions = audit.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="print entries, newest first", parents=[url_after])
    export = actions.add_parser("export", help="write entries to a CSV file (UTF-8 with BOM)", parents=[url_after])
    export.add_argument("file")
    for p in (listing, export):
        p.add_argument("--action", dest="action_name", default=None, help="only this action, e.g. login_failed")
        p.add_argument("--actor", default=None, help="only this actor (a username, visitor, cli:NAME)")
        p.add_argument("--since", type=_moment, default=None, help="from this UTC date or time")
        p.add_argument("--until", type=_moment, default=None, help="before this UTC date or time")
        p.add_argument("--limit", type=int, default=1000, help="at most this many entries (default 1000)")
    briefing_cli.add_parser(sub, url_help)
    bounds = sub.add_parser("boundaries", help="official zone boundaries")
    bounds.add_argument("--url", default=None, help=url_help)
    actions = bounds.add_subparsers(dest="action", required=True)
    imp = actions.add_parser("import", parents=[url_after],
                             help="read and check a zipped Shapefile, GeoPackage, GeoJSON or KML of the zones")
    imp.add_argument("file")
    imp.add_argument("--crs", default=None, help="the file's coordinate system, e.g. EPSG:4549 (confirms a "
                                                 "proposal, or overrides the .prj)")
    imp.add_argument("--gcj02", action="store_true", help="the longitudes/latitudes are GCJ-02 (AMap, Tencent)")
    imp.add_argument("--encoding", default=None, help="the attribute text's encoding, e.g. gbk (default: the .cpg, "
                                                      "else detected)")
    imp.add_argument("--name-field", default=None, help="the attribute that names the zones (default: proposed)")
    imp.add_argument("--layer", default=None, help="the layer to read (default: the one naming the most zones)")
    imp.add_argument("--match", action="append", type=_feature_match, default=[], metavar="N=ZONE_ID",
                     help="assign feature N to a zone, or leave it out with N= (repeat)")
    imp.add_argument("--basis", default=None, help="where the boundaries come from: office, document, date")
    imp.add_argument("--rows", type=int, default=10, help="attribute rows to show (default 10)")
    output = imp.add_mutually_exclusive_group()
    output.add_argument("--dry-run", action="store_true", help="only report what was detected and checked")
    output.add_argument("--out", default=None, help="write the zones as GeoJSON to this file instead of "
                                                    "publishing them")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "db":
            return _db(args)
        store = open_store(args.url)
        try:
            if args.command == "briefing":
                return briefing_cli.run(args, store)
            return {"users": _users, "audit": _audit, "boundaries": _boundaries}[args.command](args, store)
        finally:
            store.engine.dispose()
    except (StoreError, DataError, accounts.AccountError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
