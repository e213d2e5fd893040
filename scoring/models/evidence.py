import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from .assessments import Assessment, LeafScore


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up on first use and again after STORAGES changes.

    A FileField calls its storage callable once, when the model class is built; handing it the
    backend itself would pin the one configured at import, and a test (or anything else) that
    overrides STORAGES would never reach the fields."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage() -> Storage:
    """The "private" storage (settings.STORAGES): evidence, ledger documents, staged imports.
    It has no URL: files are served only by a view that checks who is asking, and every read
    or write goes through the storage API, so the files may sit on a disk or in an S3 bucket.
    A callable, named in migrations, so that it stays importable."""
    return _private


def evidence_path(instance: "Evidence", filename: str) -> str:
    # A random name on disk: the user's file name is kept in the database only, so that no
    # typed name can reach the file system.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.assessment_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """An evidence document (tài liệu kiểm chứng) of one assessment; it may prove several leaves."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("bản đánh giá"),
    )
    file = models.FileField(_("tệp"), upload_to=evidence_path, storage=private_storage)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=120)
    size = models.PositiveBigIntegerField(_("dung lượng"))
    document_number = models.CharField(_("số, ký hiệu văn bản"), max_length=100, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người tải lên"),
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "uploaded_at"]
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")

    def __str__(self):
        return self.original_name


class EvidenceLink(models.Model):
    """A document proving one leaf, with the section or page where it does."""

    evidence = models.ForeignKey(
        Evidence, on_delete=models.CASCADE, related_name="links", verbose_name=_("tài liệu")
    )
    leaf = models.ForeignKey(
        LeafScore,
        on_delete=models.CASCADE,
        related_name="evidence_links",
        verbose_name=_("tiêu chí"),
    )
    reference = models.CharField(_("mục, trang chứng minh"), max_length=200, blank=True)
    # Added during the explanation round, after the appraisal asked for it.
    supplementary = models.BooleanField(_("tài liệu bổ sung khi giải trình"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "leaf"], name="evidencelink_unique_leaf")
        ]
        verbose_name = _("tài liệu của tiêu chí")
        verbose_name_plural = _("tài liệu của tiêu chí")

    def __str__(self):
        return f"{self.evidence} → {self.leaf}"
