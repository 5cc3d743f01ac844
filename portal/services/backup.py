"""Backups and restores (docs/operations.md, Backups): the database, the disk attachment folder
when it is in use, and a manifest that says what the backup holds and lets a restore check it.

SQLite is copied with the online backup API (a consistent copy while the portal runs);
PostgreSQL with `pg_dump --format=custom` inside an exported snapshot, so the manifest's row
counts are those of the dump. Secrets are not in a backup: PORTAL_SECRET_KEY and
PORTAL_CREDENTIALS_KEY come from the environment, and stored credentials stay encrypted with
the key. No Flask here: the commands in portal/cli_storage.py pass the settings in.
"""
import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlparse

from portal.services.errors import ServiceError

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"

MANIFEST = "manifest.json"
SQLITE_FILE = "portal.sqlite3"
PG_FILE = "portal.pgdump"
UPLOADS = "uploads"
FORMAT = 1
# FTS5 keeps each virtual table's index in shadow tables named after it: part of the copy,
# not counted on their own (the virtual table's count is its rows)
FTS_SHADOW = re.compile(r"_(data|idx|content|docsize|config)$")


class BackupError(ServiceError):
    """A backup or restore refused or failed; the message says why and what to do."""

    def __init__(self, message):
        super().__init__({"backup": message}, status=400)


@dataclass
class Target:
    """The database a backup reads or a restore writes: its URL and where the disk store keeps
    files (None when attachments are in the database only)."""
    url: str
    upload_dir: Path | None = None


def known_migrations():
    """The migration names this code has, in order."""
    return sorted(p.stem for p in MIGRATIONS.glob("[0-9]*.py"))


def _number(name):
    return int(name.split("_", 1)[0])


def portal_version():
    try:
        from importlib.metadata import version
        return version("support-portal")
    except Exception:  # running from a checkout that was never installed
        return "unknown"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def kind_of(url):
    return "sqlite" if urlparse(url).scheme == "sqlite" else "postgresql"


# -- SQLite ------------------------------------------------------------------------------

def _sqlite_path(url):
    return url.removeprefix("sqlite:///")


def _sqlite_tables(conn):
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    virtual = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")}
    return [n for n in names if not (FTS_SHADOW.search(n) and FTS_SHADOW.sub("", n) in virtual)]


def _sqlite_facts(conn):
    tables = _sqlite_tables(conn)
    counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
    head = None
    if "schema_migration" in tables:
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migration")]
        head = max(names, key=_number) if names else None
    return counts, head


def _sqlite_backup(url, folder):
    target = folder / SQLITE_FILE
    with closing(sqlite3.connect(_sqlite_path(url), timeout=15)) as source, \
            closing(sqlite3.connect(target)) as copy:
        source.backup(copy)  # page by page, consistent even while the portal writes
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        return _sqlite_facts(copy)


def _sqlite_restore(folder, url):
    path = Path(_sqlite_path(url))
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(folder / SQLITE_FILE)) as source, \
            closing(sqlite3.connect(path, timeout=15)) as live:
        source.backup(live)  # replaces every page of the target, schema included
        return _sqlite_facts(live)


def _sqlite_counts(url):
    path = _sqlite_path(url)
    if not Path(path).exists():
        return {}
    with closing(sqlite3.connect(path, timeout=15)) as conn:
        return _sqlite_facts(conn)[0]


# -- PostgreSQL --------------------------------------------------------------------------

@dataclass
class _Pg:
    """A PostgreSQL URL taken apart for libpq tools: a URI without the password (which goes in
    the environment, never on a command line `ps` shows) and the schema a search_path names."""
    uri: str
    password: str | None
    schema: str | None

    def env(self):
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _pg(url):
    parts = urlparse(url)
    query = parse_qsl(parts.query)
    schema = None
    for key, value in query:
        found = re.search(r"search_path=([A-Za-z_][A-Za-z0-9_]*)", unquote(value)) if key == "options" else None
        if found:
            schema = found.group(1)
    host = parts.hostname or ""
    netloc = (unquote(parts.username) + "@" if parts.username else "") + host + (f":{parts.port}" if parts.port else "")
    uri = f"postgresql://{netloc}{parts.path}"
    if query:  # libpq decodes %XX only: a space written as "+" (urlencode's default) would stay "+"
        uri += "?" + urlencode(query, quote_via=quote)
    return _Pg(uri, unquote(parts.password) if parts.password else None, schema)


def _pg_connect(url):
    import psycopg2
    pg = _pg(url)
    return psycopg2.connect(pg.uri, password=pg.password) if pg.password else psycopg2.connect(pg.uri)


def _pg_schema(cur):
    cur.execute("SELECT current_schema()")
    return cur.fetchone()[0]


def _pg_facts(cur, schema):
    if schema is None:
        return {}, None
    cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                "AND table_type = 'BASE TABLE' ORDER BY table_name", (schema,))
    tables = [r[0] for r in cur.fetchall()]
    counts = {}
    for table in tables:
        cur.execute(f'SELECT COUNT(*) FROM "{schema}"."{table}"')
        counts[table] = cur.fetchone()[0]
    head = None
    if "schema_migration" in tables:
        cur.execute(f'SELECT name FROM "{schema}".schema_migration')
        names = [r[0] for r in cur.fetchall()]
        head = max(names, key=_number) if names else None
    return counts, head


def _tool_major(tool):
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed: install postgresql-client (the server's major version)")
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"\)\s+(\d+)", out)  # "pg_dump (PostgreSQL) 15.20 (Debian ...)"
    if found is None:
        raise BackupError(f"cannot read the version of {tool}: {out.strip()!r}")
    return int(found.group(1)), out.strip()


def check_client(tool, server_major):
    """`tool` (pg_dump, pg_restore) must be at least the server's major version."""
    major, text = _tool_major(tool)
    if major < server_major:
        raise BackupError(f"{text} is older than the PostgreSQL {server_major} server: install "
                          f"postgresql-client-{server_major} (the tool must match the server's major version)")
    return major


def _server_major(cur):
    cur.execute("SHOW server_version_num")
    return int(cur.fetchone()[0]) // 10000


def _run(command, pg):
    done = subprocess.run(command, capture_output=True, text=True, env=pg.env())
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
    return done


def _pg_backup(url, folder):
    pg = _pg(url)
    with closing(_pg_connect(url)) as conn:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            check_client("pg_dump", _server_major(cur))
            schema = _pg_schema(cur)
            cur.execute("SELECT pg_export_snapshot()")  # pg_dump reads what this transaction sees
            snapshot = cur.fetchone()[0]
            facts = _pg_facts(cur, schema)
            command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={folder / PG_FILE}"]
            if pg.schema:
                command.append(f"--schema={pg.schema}")
            _run(command + [f"--dbname={pg.uri}"], pg)
        conn.rollback()
    return facts


def _pg_restore(folder, url, schema):
    pg = _pg(url)
    if (pg.schema or None) != (schema or None):
        raise BackupError(f"the backup holds schema {schema or '(the whole database)'}; the target URL names "
                          f"{pg.schema or '(the whole database)'}: restore into the same schema")
    with closing(_pg_connect(url)) as conn, conn.cursor() as cur:
        check_client("pg_restore", _server_major(cur))
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
          f"--dbname={pg.uri}", str(folder / PG_FILE)], pg)
    return _pg_counts_and_head(url)


def _pg_counts_and_head(url):
    with closing(_pg_connect(url)) as conn, conn.cursor() as cur:
        pg = _pg(url)
        schema = pg.schema or _pg_schema(cur)
        cur.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        if cur.fetchone() is None:
            return {}, None
        return _pg_facts(cur, schema)


# -- the backup and the restore ---------------------------------------------------------

def _copy_uploads(source, folder):
    if source is None or not Path(source).is_dir():
        return False
    shutil.copytree(source, folder / UPLOADS)
    return True


def _file_list(folder):
    return [{"path": p.relative_to(folder).as_posix(), "size": p.stat().st_size, "sha256": _sha256(p)}
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST]


def backup(target, folder, now):
    """Write a backup of `target` (a Target) into `folder` (new or empty); returns the manifest.
    `now` is the aware moment recorded as its creation time."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder (one per run)")
    folder.mkdir(parents=True, exist_ok=True)
    kind = kind_of(target.url)
    counts, head = _sqlite_backup(target.url, folder) if kind == "sqlite" else _pg_backup(target.url, folder)
    uploads = _copy_uploads(target.upload_dir, folder)
    manifest = {
        "format": FORMAT,
        "portal_version": portal_version(),
        "migration_head": head,
        "database": kind,
        "schema": _pg(target.url).schema if kind == "postgresql" else None,
        "created_at": now.astimezone(datetime.timezone.utc).isoformat(),
        "tables": counts,
        "uploads": uploads,
        "files": _file_list(folder),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def read_manifest(folder):
    """The backup's manifest, checked against its files and this code's migrations."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} holds no {MANIFEST}: not a portal backup (or an incomplete one)")
    manifest = json.loads(path.read_text())
    head, known = manifest.get("migration_head"), known_migrations()
    if head and (head not in known or _number(head) > _number(known[-1])):
        raise BackupError(f"the backup's migration head {head} is newer than this code knows "
                          f"({known[-1]}): restore with the portal version that made it "
                          f"({manifest.get('portal_version')})")
    for entry in manifest.get("files", []):
        file = Path(folder) / entry["path"]
        if not file.is_file() or _sha256(file) != entry["sha256"]:
            raise BackupError(f"{entry['path']} is missing or damaged (its sha256 differs from the manifest)")
    return manifest


def row_counts(url):
    """Rows per table of the database at `url` ({} when it has none)."""
    return _sqlite_counts(url) if kind_of(url) == "sqlite" else _pg_counts_and_head(url)[0]


def restore(target, folder, force=False):
    """Restore the backup in `folder` into `target` (a Target); refuses a non-empty database
    unless `force`. Returns (manifest, row counts after the restore)."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    kind = kind_of(target.url)
    if manifest["database"] != kind:
        raise BackupError(f"the backup is of a {manifest['database']} database; the target is {kind}")
    holding = {t: n for t, n in row_counts(target.url).items() if n and t != "schema_migration"}
    if holding and not force:
        raise BackupError(f"the target database is not empty ({sum(holding.values())} rows in "
                          f"{len(holding)} tables): restore into an empty one, or pass --force to replace it")
    if kind == "sqlite":
        counts, _ = _sqlite_restore(folder, target.url)
    else:
        counts, _ = _pg_restore(folder, target.url, manifest.get("schema"))
    if manifest.get("uploads") and target.upload_dir is not None:
        _restore_uploads(folder / UPLOADS, Path(target.upload_dir))
    differ = {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n}
    if differ:
        raise BackupError(f"restored row counts differ from the manifest: {differ}")
    return manifest, counts


def _restore_uploads(source, folder):
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file():
            shutil.copy2(path, folder / path.name)
