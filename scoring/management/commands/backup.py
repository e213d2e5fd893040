"""``make backup``: the database and the evidence files in one archive.

The archive, ``cchc-backup-<UTC time>.tar.gz`` in ``BACKUP_DIR`` (default ``backups/``), holds:

- ``database.dump`` (PostgreSQL: ``pg_dump``'s custom format, one consistent snapshot) or
  ``database.sqlite3`` (SQLite: a consistent copy made with SQLite's online backup API, safe
  while the app runs);
- ``private-media/…``: every file of the "private" storage (evidence, ledger documents, staged
  imports: under ``PRIVATE_MEDIA_ROOT`` or in an S3 bucket, read through the storage API either
  way) under its storage name, copied after the database, so that every file the database names
  is in the archive;
- ``manifest.json``: when, the app's version, the database engine, the applied migrations, the
  number of evidence files and each file's size and SHA-256, which ``make restore`` checks
  before it touches anything.

The helpers here are shared with the ``restore`` command.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import tomllib
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.core.files.storage import Storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from scoring.models.evidence import private_storage

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "private-media"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


def backup_dir() -> Path:
    """``BACKUP_DIR`` from the environment, else ``backups/`` beside manage.py."""
    return Path(os.environ.get("BACKUP_DIR") or settings.BASE_DIR / "backups")


def engine_of(using: str = "default") -> str:
    vendor = connections[using].vendor
    if vendor not in DUMP_NAMES:
        raise CommandError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def app_version() -> str:
    with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: on PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: Path):
        return int(path.parts[-3]) if path.parts[-3].isdigit() else 0

    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=version)
    if not candidates:
        raise CommandError(f"{name} is not installed (apt-get install postgresql-client).")
    return str(candidates[-1])


def pg_env(using: str = "default") -> dict[str, str]:
    """The connection of ``using`` as libpq environment variables (no password on a command
    line, where ``ps`` would show it)."""
    db = connections[using].settings_dict
    env = dict(os.environ)
    for key, value in {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGDATABASE": db["NAME"],
        "PGSSLMODE": (db.get("OPTIONS") or {}).get("sslmode"),
    }.items():
        if value:
            env[key] = str(value)
    return env


def run_tool(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise CommandError(f"{Path(args[0]).name} failed: {done.stderr.strip()}")


def dump_database(target: Path, using: str = "default") -> None:
    """A consistent copy of the database in ``target``."""
    if engine_of(using) == "postgresql":
        run_tool(
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target)],
            pg_env(using),
        )
        return
    # SQLite's online backup API through the app's own connection: a consistent copy even
    # while others write, and it works for an in-memory database (the tests') too.
    connection = connections[using]
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


def stored_files(storage: Storage, folder: str = "") -> list[str]:
    """The name of every file in ``storage`` (walked with ``listdir``), in a stable order."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # a disk storage whose folder was never made: nothing stored yet
        return []
    names = [posixpath.join(folder, name) for name in files]
    for directory in directories:
        names += stored_files(storage, posixpath.join(folder, directory))
    return sorted(names)


def media_files(root: Path) -> list[Path]:
    """Every regular file under ``root``, in a stable order (symbolic links are skipped)."""
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


class _Hashing(io.RawIOBase):
    """Reads a file for tarfile while computing its SHA-256: the checksum is that of the bytes
    archived, even if the file changed meanwhile."""

    def __init__(self, file):
        self.file = file
        self.sha256 = hashlib.sha256()

    def readable(self):
        return True

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def _add(tar: tarfile.TarFile, path: Path, arcname: str) -> dict:
    with open(path, "rb") as file:
        info = tar.gettarinfo(arcname=arcname, fileobj=file)
        return _add_file(tar, info, file)


def _add_stored(tar: tarfile.TarFile, storage: Storage, name: str, arcname: str) -> dict:
    """A file of the storage, copied first to a local spool: a tar header needs the size before
    the bytes, and the size and checksum must be those of the bytes read, even if the stored
    file changes meanwhile (or the storage is an S3 bucket that only streams)."""
    with storage.open(name, "rb") as source, tempfile.SpooledTemporaryFile(CHUNK * 8) as spool:
        while data := source.read(CHUNK):
            spool.write(data)
        info = tarfile.TarInfo(arcname)
        info.size = spool.tell()
        try:
            info.mtime = int(storage.get_modified_time(name).timestamp())
        except (NotImplementedError, OSError):
            info.mtime = int(timezone.now().timestamp())
        spool.seek(0)
        return _add_file(tar, info, spool)


def _add_file(tar: tarfile.TarFile, info: tarfile.TarInfo, file) -> dict:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    hashing = _Hashing(file)
    tar.addfile(info, hashing)
    return {"path": info.name, "size": info.size, "sha256": hashing.sha256.hexdigest()}


def applied_migrations(using: str = "default") -> list[str]:
    recorder = MigrationRecorder(connections[using])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def create_backup(directory: Path, *, using: str = "default", label: str = "") -> tuple[Path, dict]:
    """Write one archive into ``directory``; returns its path and its manifest."""
    engine = engine_of(using)
    directory.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    name = f"cchc-backup-{now:%Y%m%d-%H%M%S-%f}{'-' + label if label else ''}.tar.gz"
    final = directory / name
    partial = directory / f".{name}.partial"
    storage = private_storage()
    with tempfile.TemporaryDirectory(prefix="cchc-backup-") as tmp:
        dump = Path(tmp) / DUMP_NAMES[engine]
        dump_database(dump, using)
        migrations = applied_migrations(using)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                entries = [_add(tar, dump, dump.name)]
                evidence = stored_files(storage)
                for name in evidence:
                    entries.append(_add_stored(tar, storage, name, f"{MEDIA_PREFIX}/{name}"))
                manifest = {
                    "format": FORMAT,
                    "created_at": now.isoformat(),
                    "app": "cchc-index",
                    "app_version": app_version(),
                    "django_version": django.get_version(),
                    "database_engine": engine,
                    "database": DUMP_NAMES[engine],
                    "migrations": migrations,
                    "evidence_files": len(evidence),
                    "evidence_bytes": sum(entry["size"] for entry in entries[1:]),
                    "files": entries,
                }
                data = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
                tar.addfile(info, io.BytesIO(data))
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return final, manifest


def safe_member(path: str) -> bool:
    """A name the manifest may list: the database copy, or a relative path under
    private-media/ that cannot climb out of it."""
    if path in DUMP_NAMES.values():
        return True
    pure = PurePosixPath(path)
    return (
        not pure.is_absolute()
        and len(pure.parts) > 1
        and pure.parts[0] == MEDIA_PREFIX
        and ".." not in pure.parts
        and "\\" not in path
    )


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump on PostgreSQL, SQLite's online backup API on SQLite) and "
        "the private files (evidence, on disk or in S3) into one .tar.gz with a manifest of "
        "checksums, in BACKUP_DIR (default backups/). make restore FILE=… puts it back."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", dest="directory", help="where to write the archive (default: BACKUP_DIR)"
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, directory=None, database="default", **options):
        path, manifest = create_backup(
            Path(directory) if directory else backup_dir(), using=database
        )
        size = path.stat().st_size
        self.stdout.write(
            f"{path} ({size:,} bytes): {manifest['database_engine']} database, "
            f"{manifest['evidence_files']} evidence files"
        )
