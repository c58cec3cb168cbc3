"""Command line: `python -m corpsmap db upgrade|revision|versions|rollback …` for scripted or remote use."""

from __future__ import annotations

import argparse
import sys

from alembic import command

from corpsmap.data import DataError
from corpsmap.store import StoreError, alembic_config, database_url, open_store


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m corpsmap")
    sub = parser.add_subparsers(dest="command", required=True)
    db = sub.add_parser("db", help="the data store")
    db.add_argument("--url", default=None, help=f"database URL (default: {database_url()})")
    actions = db.add_subparsers(dest="action", required=True)
    actions.add_parser("upgrade", help="apply migrations; load data/ into an empty store")
    revision = actions.add_parser("revision", help="write a migration for changed models (review it!)")
    revision.add_argument("message")
    actions.add_parser("versions", help="list the versions, newest first")
    rollback = actions.add_parser("rollback", help="publish a new version equal to an old one")
    rollback.add_argument("to", type=int)
    rollback.add_argument("--author", required=True)
    args = parser.parse_args(argv)
    try:
        return _db(args)
    except (StoreError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
