"""Evidence through Django's storage API: the "private" storage is a setting, and the same pages
work on a disk, in memory and in an S3 bucket (moto's fake AWS), downloads still going through
the access check. A storage that fails to write leaves nothing half-saved and says so."""

import runpy
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from moto import mock_aws

from scoring.models import Adjustment, AdjustmentKind, Assessment, Evidence
from scoring.models.evidence import private_storage
from tests.samples import PDF
from tests.scoring.test_entry_views import (
    entry_url,
    field2_post,
    field_url,
    pdf,
    signed_in,
    snapshot,
    upload_evidence,
)

pytestmark = pytest.mark.django_db  # run before the browser tests flush the database

BUCKET = "cchc-evidence-test"
SETTINGS_FILE = Path(settings.BASE_DIR) / "cchc" / "settings.py"
SAVE_FAILED = "không ghi được tệp"


def settings_with(monkeypatch, **env) -> dict:
    """cchc/settings.py read again under these environment variables (its module globals)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def private(backend_settings: dict) -> dict:
    return {**settings.STORAGES, "private": backend_settings}


@pytest.fixture
def s3(monkeypatch):
    """A fake S3 with one bucket, and the "private" storage configured for it exactly as
    settings.py does with PRIVATE_STORAGE=s3."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    configured = settings_with(
        monkeypatch, PRIVATE_STORAGE="s3", S3_BUCKET=BUCKET, S3_REGION="us-east-1"
    )["STORAGES"]["private"]
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        with override_settings(STORAGES=private(configured)):
            yield client


def keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def download(user, year, evidence_id):
    return signed_in(user).get(entry_url("evidence_download", year, evidence_id))


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- settings ----------------------------------------------------------------------------------


def test_settings_choose_the_private_storage(monkeypatch):
    on_disk = settings_with(monkeypatch)["STORAGES"]["private"]
    assert on_disk == {"BACKEND": "cchc.storage.PrivateFileSystemStorage"}
    options = settings_with(
        monkeypatch,
        PRIVATE_STORAGE="s3",
        S3_BUCKET="minh-chung",
        S3_ENDPOINT_URL="https://s3.example.vn",
        S3_ACCESS_KEY_ID="key",
        S3_SECRET_ACCESS_KEY="secret",
        S3_PREFIX="/ha-tinh/",
    )["STORAGES"]["private"]["OPTIONS"]
    assert options["bucket_name"] == "minh-chung"
    assert options["endpoint_url"] == "https://s3.example.vn"
    assert (options["access_key"], options["secret_key"]) == ("key", "secret")
    assert options["location"] == "ha-tinh"
    assert options["default_acl"] == "private"
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False


def test_settings_refuse_an_s3_storage_without_a_bucket_or_an_unknown_kind(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="S3_BUCKET"):
        settings_with(monkeypatch, PRIVATE_STORAGE="s3", S3_BUCKET="")
    with pytest.raises(ImproperlyConfigured, match="PRIVATE_STORAGE"):
        settings_with(monkeypatch, PRIVATE_STORAGE="nfs")


def test_private_files_have_no_url():
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url("evidence/1/a.pdf")


# --- S3 ----------------------------------------------------------------------------------------


def test_evidence_in_an_s3_bucket_goes_through_the_access_check(
    s3, officer_a, officer_b, appraiser, year_2024, django_capture_on_commit_callbacks
):
    link = upload_evidence(officer_a, year_2024)
    evidence = link.evidence
    assert keys(s3) == [evidence.file.name]
    assert evidence.file.name.startswith(f"evidence/{evidence.assessment_id}/")
    stored = s3.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read()
    assert stored == PDF
    acl = s3.get_object_acl(Bucket=BUCKET, Key=evidence.file.name)["Grants"]
    assert [grant["Permission"] for grant in acl] == ["FULL_CONTROL"]  # the owner only

    own = download(officer_a, year_2024, evidence.pk)
    assert own.status_code == 200
    assert body(own) == PDF
    assert "attachment" in own["Content-Disposition"]
    assert download(officer_b, year_2024, evidence.pk).status_code == 404
    by_appraiser = download(appraiser, year_2024, evidence.pk)
    assert by_appraiser.status_code == 200
    assert body(by_appraiser) == PDF

    # Removing its only link deletes the document, and the object once that is committed.
    remove = entry_url("evidence_remove", year_2024, link.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_in(officer_a).post(remove).status_code == 302
    assert not Evidence.objects.filter(pk=evidence.pk).exists()
    assert keys(s3) == []


def test_an_object_missing_from_the_bucket_is_a_404(s3, officer_a, year_2024):
    evidence = upload_evidence(officer_a, year_2024).evidence
    s3.delete_object(Bucket=BUCKET, Key=evidence.file.name)
    assert download(officer_a, year_2024, evidence.pk).status_code == 404


# --- in memory ---------------------------------------------------------------------------------


def test_evidence_in_a_storage_without_a_disk(officer_a, officer_b, year_2024):
    memory = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    with override_settings(STORAGES=private(memory)):
        storage = private_storage()
        evidence = upload_evidence(officer_a, year_2024).evidence
        assert isinstance(storage, InMemoryStorage)
        assert storage.exists(evidence.file.name)
        assert storage.size(evidence.file.name) == len(PDF) == evidence.size
        response = download(officer_a, year_2024, evidence.pk)
        assert body(response) == PDF
        assert download(officer_b, year_2024, evidence.pk).status_code == 404
    # Back on the disk storage, that document is nowhere: not found, not an error page.
    assert download(officer_a, year_2024, evidence.pk).status_code == 404


# --- a storage that fails ----------------------------------------------------------------------


class FailingStorage(InMemoryStorage):
    """A disk that is full, or an object store that does not answer."""

    def _save(self, name, content):
        raise OSError(28, "No space left on device")


def _post_with_a_score_and_a_file(user, year):
    data = field2_post({"2.3.1-score": "1", "ev-2.2.1-file": pdf(), "ev-2.2.1-reference": "Mục 2"})
    return signed_in(user).post(field_url(year), data)


@pytest.mark.parametrize("where", ["disk", "bucket"])
def test_a_file_the_storage_cannot_write_saves_nothing_and_says_so(
    where, officer_a, year_2024, monkeypatch
):
    before = snapshot(year_2024)
    if where == "disk":
        failing = {"BACKEND": "tests.test_storage.FailingStorage"}
        with override_settings(STORAGES=private(failing)):
            response = _post_with_a_score_and_a_file(officer_a, year_2024)
    else:
        # S3 configured, but its bucket is gone: boto's error reaches the page as the same
        # message (cchc.s3 turns it into OSError).
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.setenv(name, "testing")
        configured = settings_with(
            monkeypatch, PRIVATE_STORAGE="s3", S3_BUCKET="no-such-bucket", S3_REGION="us-east-1"
        )["STORAGES"]["private"]
        with mock_aws(), override_settings(STORAGES=private(configured)):
            response = _post_with_a_score_and_a_file(officer_a, year_2024)
    assert response.status_code == 200  # the page again, with what was typed
    page = response.content.decode()
    assert SAVE_FAILED in page
    assert "ke-hoach-ra-soat.pdf" in page
    # All or nothing: neither the document nor the score typed with it.
    assert snapshot(year_2024) == before


# --- ledger documents --------------------------------------------------------------------------


def _add_deduction(user, year, name, content):
    assessment = Assessment.objects.get(year=year, unit__code="vu-quang")
    data = {
        "kind": AdjustmentKind.objects.get(code="other-deduction").pk,
        "points": "1",
        "reason": "Theo kết luận thanh tra",
        "document": SimpleUploadedFile(name, content, "application/pdf"),
        "version": assessment.ledger_version,
    }
    return signed_in(user).post(reverse("ledger", args=[year.pk, "vu-quang"]), data)


def _ledger_document(user, year, entry):
    return signed_in(user).get(reverse("ledger_document", args=[year.pk, "vu-quang", entry.pk]))


def test_ledger_documents_named_alike_are_both_kept_in_the_bucket(
    s3, interior_admin, officer_b, year_2023
):
    """S3 replaces an object of the same name unless told not to: two documents the admin
    named alike must stay two objects, each downloaded as it was sent."""
    other = PDF + b"\n"  # one byte more: another file, still a valid PDF
    for content in (PDF, other):
        assert _add_deduction(interior_admin, year_2023, "Kết luận.pdf", content).status_code == 302
    first, second = Adjustment.objects.filter(
        assessment__year=year_2023, assessment__unit__code="vu-quang"
    ).order_by("pk")
    assert first.document.name != second.document.name
    assert sorted(keys(s3)) == sorted([first.document.name, second.document.name])
    assert body(_ledger_document(interior_admin, year_2023, first)) == PDF
    assert body(_ledger_document(interior_admin, year_2023, second)) == other
    assert _ledger_document(officer_b, year_2023, first).status_code == 404


def test_a_ledger_document_the_storage_cannot_write_saves_no_entry(interior_admin, year_2023):
    failing = {"BACKEND": "tests.test_storage.FailingStorage"}
    before = Adjustment.objects.count()
    with override_settings(STORAGES=private(failing)):
        response = _add_deduction(interior_admin, year_2023, "Kết luận.pdf", PDF)
    assert response.status_code == 200
    assert SAVE_FAILED in response.content.decode()
    assert Adjustment.objects.count() == before
