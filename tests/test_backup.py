"""Nothing lost: a backup of the demo (with evidence files) restored into an empty database has the
same totals, ranks, rows and files; a damaged archive or a non-empty target is refused.

The restore runs in a real ``manage.py restore`` process against a fresh database: on SQLite a
new file, on PostgreSQL a database this test creates and drops.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from scoring.demo.load import load_demo
from scoring.management.commands.backup import create_backup, stored_files
from scoring.management.commands.restore import read_archive, replace_stored_files
from scoring.models import Assessment, AssessmentYear, Evidence, ResultsVersion
from scoring.models.evidence import private_storage
from scoring.selectors import year_results
from tests.samples import PDF

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(settings.BASE_DIR)
FILES = {
    "a.pdf": PDF,
    "b.png": bytes(range(256)) * 40,
}


def summary() -> dict:
    """Totals and ranks of every year, and the row count of every table: what a restore must
    give back. Run in this process and in the restored one."""
    years = {}
    for year in AssessmentYear.objects.select_related("unit_level").order_by(
        "unit_level__code", "year"
    ):
        years[f"{year.unit_level.code}/{year.year}"] = [
            [result.unit.code, str(result.total.points), str(result.total.index), result.rank]
            for result in year_results(year)
        ]
    counts = {model._meta.label: model._base_manager.count() for model in apps.get_models()}
    return {"years": years, "counts": counts}


@pytest.fixture
def source(transactional_db, tmp_path, monkeypatch):
    """The demo, committed, with evidence files on disk and in the database. The evidence
    folder is the test run's own (tests/env_setup.py); other tests' files in it come along."""
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "backups"))
    with override_settings(DEBUG=True):
        load_demo()
    assessment = Assessment.objects.filter(year__year=2024).order_by("id").first()
    for name, content in FILES.items():
        evidence = Evidence(
            assessment=assessment, original_name=name, content_type="x", size=len(content)
        )
        evidence.file.save(name, ContentFile(content), save=True)
    # A file no row names (an import being staged) is kept too.
    staged = f"imports/tệp-đang-nhập-{uuid.uuid4().hex}.xlsx"
    assert private_storage().save(staged, ContentFile(b"PK\x03\x04 staged")) == staged
    return Path(settings.PRIVATE_MEDIA_ROOT)


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a fresh, empty database of the engine the tests run on."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"cchc_restore_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"],
        host=db["HOST"],
        port=db["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield (f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{name}")
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_backup_restored_into_an_empty_database_gives_everything_back(
    source, empty_database, tmp_path
):
    call_command("backup", directory=str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("cchc-backup-*.tar.gz")
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database_engine"] == connection.vendor
    files = tree(source)
    assert manifest["evidence_files"] == len(files)
    for evidence in Evidence.objects.all():
        with evidence.file.open("rb") as file:
            assert files[evidence.file.name] == file.read()
    assert manifest["app_version"]

    expected = summary()
    assert any(len(rows) > 1 for rows in expected["years"].values())
    restored_media = tmp_path / "restored-evidence"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": empty_database,
        "PRIVATE_MEDIA_ROOT": str(restored_media),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    done = manage("restore", str(archive), env=env)
    assert done.returncode == 0, done.stderr

    code = "import json; from tests.test_backup import summary; print(json.dumps(summary()))"
    done = manage("shell", "-c", code, env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == expected
    assert tree(restored_media) == files
    # The results counters leapt forward: no page cached since the backup can match them.
    backed_up = dict(ResultsVersion.objects.values_list("scope", "version"))
    code = (
        "import json; from scoring.models import ResultsVersion; "
        "print(json.dumps(dict(ResultsVersion.objects.values_list('scope', 'version'))))"
    )
    done = manage("shell", "-c", code, env=env)
    restored = json.loads(done.stdout.strip().splitlines()[-1])
    assert backed_up and restored.keys() == backed_up.keys()
    assert all(restored[scope] >= backed_up[scope] + 2**32 for scope in backed_up)

    # Now the target is not empty: refused, then replaced with --force after a backup of it.
    done = manage("restore", str(archive), env=env)
    assert done.returncode != 0
    assert "not empty" in done.stderr
    done = manage("restore", "--force", str(archive), env=env)
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "backups").glob("*-before-restore.tar.gz"))) == 1
    assert tree(restored_media) == files


def test_a_damaged_archive_is_refused_before_anything_is_touched(source, tmp_path):
    call_command("backup", directory=str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("cchc-backup-*.tar.gz")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as tar, tarfile.open(damaged, "w:gz") as out:
        for member in tar:
            data = tar.extractfile(member).read()
            if member.name.startswith("database."):
                data = data[:-1] + bytes([data[-1] ^ 1])
            out.addfile(member, io.BytesIO(data))
    before, files = summary(), tree(source)
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(damaged), force=True)
    assert summary() == before
    assert tree(source) == files


IN_MEMORY = {
    **settings.STORAGES,
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}


def stored(storage) -> dict[str, bytes]:
    contents = {}
    for name in stored_files(storage):
        with storage.open(name, "rb") as file:
            contents[name] = file.read()
    return contents


def test_backup_and_restore_go_through_the_storage_api_only(transactional_db, tmp_path):
    """With a storage that has no disk at all (as an S3 bucket has none), backup walks it with
    listdir and restore writes back through save: same names, same bytes, nothing else."""
    with override_settings(STORAGES=IN_MEMORY):
        storage = private_storage()
        files = {
            "evidence/7/a.pdf": PDF,
            "evidence/7/sub/b.png": bytes(range(256)) * 40,
            "imports/tệp đang nhập.xlsx": b"PK\x03\x04 staged",
        }
        for name, content in files.items():
            assert storage.save(name, ContentFile(content)) == name
        archive, manifest = create_backup(tmp_path / "backups")
        assert manifest["evidence_files"] == 3
        assert {e["path"] for e in manifest["files"][1:]} == {f"private-media/{n}" for n in files}

    extracted = tmp_path / "extracted"
    read_archive(archive, extracted)  # checks every file against its size and checksum
    with override_settings(STORAGES=IN_MEMORY):
        storage = private_storage()  # a new, empty in-memory storage: the restore's target
        assert stored(storage) == {}
        storage.save("evidence/9/left-over.pdf", ContentFile(b"from before the restore"))
        assert replace_stored_files(storage, extracted / "private-media") == 3
        assert stored(storage) == files


def test_a_restore_the_storage_would_rename_is_stopped(tmp_path):
    """A storage that keeps a file under another name (it would have broken the link from the
    database) stops the restore with a message naming both."""
    folder = tmp_path / "private-media"
    (folder / "evidence").mkdir(parents=True)
    (folder / "evidence" / "a.pdf").write_bytes(PDF)

    class Renaming(InMemoryStorage):
        def get_available_name(self, name, max_length=None):
            return name + "_x"

    with pytest.raises(CommandError, match=r"a\.pdf_x"):
        replace_stored_files(Renaming(), folder)
