"""``make restore FILE=…``: put back an archive of ``make backup``.

Every file of the archive is checked against the manifest's size and SHA-256 before anything is
touched. A database with tables, or files already in the private storage, is refused unless
``--force`` (``make restore FILE=… FORCE=1``); a forced restore first backs up what is there
(``…-before-restore.tar.gz`` in ``BACKUP_DIR``), so that it loses nothing either.

PostgreSQL: ``pg_restore`` into the database of ``DATABASE_URL`` (it must exist: ``createdb``),
in one transaction. SQLite: the copy is written into the database file with SQLite's backup API.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.models import F

from scoring.models.evidence import private_storage
from scoring.models.versions import ResultsVersion

from .backup import (
    CHUNK,
    DUMP_NAMES,
    FORMAT,
    MANIFEST,
    MEDIA_PREFIX,
    backup_dir,
    create_backup,
    engine_of,
    media_files,
    pg_env,
    pg_tool,
    run_tool,
    safe_member,
    stored_files,
)


def read_archive(archive: Path, into: Path) -> dict:
    """Extract the files the manifest lists into ``into``, checking each; returns the
    manifest. Raises ``CommandError`` on anything missing, altered or unexpected."""
    if not archive.is_file():
        raise CommandError(f"No such file: {archive}")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            try:
                manifest = json.load(tar.extractfile(MANIFEST))
            except (KeyError, ValueError) as exc:
                raise CommandError(f"{archive.name} has no readable {MANIFEST}.") from exc
            if manifest.get("format") != FORMAT:
                raise CommandError(f"Unknown backup format {manifest.get('format')!r}.")
            listed = {entry["path"]: entry for entry in manifest["files"]}
            for entry in listed.values():
                if not safe_member(entry["path"]):
                    raise CommandError(f"Refusing a file outside the backup: {entry['path']!r}")
            for member in tar:
                if member.name == MANIFEST:
                    continue
                entry = listed.pop(member.name, None)
                if entry is None or not member.isfile():
                    raise CommandError(f"{member.name!r} is not in the manifest.")
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                with open(target, "wb") as out:
                    while data := source.read(CHUNK):
                        digest.update(data)
                        out.write(data)
                if target.stat().st_size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                    raise CommandError(f"{member.name} does not match its checksum: damaged.")
            if listed:
                raise CommandError(f"Missing from the archive: {', '.join(sorted(listed))}")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise CommandError(f"{archive.name} cannot be read: {exc}") from exc
    return manifest


def replace_stored_files(storage: Storage, folder: Path) -> int:
    """Make ``storage`` hold exactly the files under ``folder`` (an extracted ``private-media/``),
    under the same names; returns how many. Only the storage API: a disk or an S3 bucket."""
    for name in stored_files(storage):
        storage.delete(name)
    restored = 0
    for path in media_files(folder):
        name = path.relative_to(folder).as_posix()
        with open(path, "rb") as file:
            saved = storage.save(name, File(file, name=name))
        if saved != name:  # the storage renamed it: the database would name a missing file
            raise CommandError(f"The storage saved {name!r} as {saved!r}; restore stopped.")
        restored += 1
    return restored


class Command(BaseCommand):
    help = (
        "Restore an archive of `manage.py backup` (database and evidence files). Refuses a "
        "database or private storage that is not empty unless --force, which backs it up first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the cchc-backup-….tar.gz")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database and evidence that are not empty (backed up first)",
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args, file, force, database, **options):
        archive = Path(file)
        engine = engine_of(database)
        connection = connections[database]
        storage = private_storage()
        with tempfile.TemporaryDirectory(prefix="cchc-restore-") as tmp:
            tmp = Path(tmp)
            manifest = read_archive(archive, tmp)
            if manifest["database_engine"] != engine:
                raise CommandError(
                    f"This backup is of a {manifest['database_engine']} database; the target "
                    f"is {engine}."
                )
            tables = self._tables(database)
            present = stored_files(storage)
            if (tables or present) and not force:
                raise CommandError(
                    f"The target is not empty ({len(tables)} tables in the database, "
                    f"{len(present)} files in the private storage). Restore into an empty "
                    "database, or add --force (make restore FILE=… FORCE=1) to replace it "
                    "after a backup of what is there."
                )
            if tables or present:
                before, _ = create_backup(backup_dir(), using=database, label="before-restore")
                self.stdout.write(f"What was there is backed up in {before}")
            dump = tmp / DUMP_NAMES[engine]
            if engine == "postgresql":
                self._restore_postgresql(dump, database, tables)
            else:
                self._restore_sqlite(dump, database)
            connection.close()
            replace_stored_files(storage, tmp / MEDIA_PREFIX)
        # Pages are cached under the results counters (scoring.models.versions), which the
        # restore has taken back to the backup's values: a page cached since then, in any
        # server's cache, could match them again. A random leap forward makes every key new.
        if ResultsVersion._meta.db_table in connections[database].introspection.table_names():
            ResultsVersion.objects.using(database).update(
                version=F("version") + secrets.randbelow(2**40) + 2**32
            )
        on_disk = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
        backed_up = set(manifest.get("migrations", []))
        self.stdout.write(
            f"Restored {archive.name} (made {manifest['created_at']}, version "
            f"{manifest['app_version']}): {manifest['evidence_files']} evidence files."
        )
        if backed_up - on_disk:
            self.stderr.write(
                f"The backup has {len(backed_up - on_disk)} migrations this version of the app "
                "does not know: it was made by a newer version; run that version."
            )
        if on_disk - backed_up:
            self.stdout.write("This version of the app is newer than the backup: run make migrate.")

    @staticmethod
    def _tables(database: str) -> list[str]:
        connection = connections[database]
        with connection.cursor() as cursor:
            return connection.introspection.table_names(cursor)

    def _restore_postgresql(self, dump: Path, database: str, tables: list[str]) -> None:
        connection = connections[database]
        with connection.cursor() as cursor:
            if tables:
                quote = connection.ops.quote_name
                cursor.execute(f"DROP TABLE IF EXISTS {', '.join(map(quote, tables))} CASCADE")
            # The results counters' trigger functions (migration 0013) outlive their tables;
            # the dump brings them again.
            cursor.execute(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname LIKE %s",
                ["cchc\\_rv\\_%"],
            )
            for (function,) in cursor.fetchall():
                cursor.execute(f"DROP FUNCTION IF EXISTS {function} CASCADE")
        connection.close()
        run_tool(
            [
                pg_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(dump),
            ],
            pg_env(database),
        )

    def _restore_sqlite(self, dump: Path, database: str) -> None:
        connection = connections[database]
        connection.close()
        name = str(connection.settings_dict["NAME"])
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        source, target = sqlite3.connect(dump), sqlite3.connect(name)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
