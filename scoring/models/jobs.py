import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .evidence import private_storage


def job_path(instance: "Job", filename: str) -> str:
    # A random name in storage: the name the user sees is kept in ``file_name``.
    return f"jobs/{instance.owner_id}/{uuid.uuid4().hex}.xlsx"


class Job(models.Model):
    """A large export or import run outside the request (``scoring.services.jobs``).

    The job is the unit of work; the django-tasks task that runs it is only its carrier, and a
    job may be carried several times (a worker killed mid-way, the recovery enqueues it again):
    running a job that is already done does nothing, and an import writes its changes and
    ``done`` in one transaction, so it is applied once or not at all."""

    class Kind(models.TextChoices):
        EXPORT_RANKING = "export:ranking", _("Xuất bảng xếp hạng")
        EXPORT_MATRIX = "export:matrix", _("Xuất ma trận điểm")
        EXPORT_HISTORY = "export:history", _("Xuất chỉ số qua các năm")
        EXPORT_SCORECARD = "export:scorecard", _("Xuất phiếu điểm của đơn vị")
        IMPORT_SURVEY = "import:survey", _("Nhập điểm điều tra xã hội học")
        IMPORT_RESULTS = "import:results", _("Nhập kết quả năm trước khi dùng phần mềm")
        IMPORT_ENTRY = "import:entry", _("Nhập tự đánh giá")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang chạy")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Không thành công")

    kind = models.CharField(_("loại việc"), max_length=30, choices=Kind.choices)
    parameters = models.JSONField(_("tham số"), default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("người yêu cầu"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(_("lần báo còn chạy gần nhất"))
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0)
    # The ids of the task results (django-tasks) that carried the job, the current one last.
    task_ids = models.JSONField(default=list, blank=True)
    result_file = models.FileField(
        _("tệp kết quả"), upload_to=job_path, storage=private_storage, blank=True
    )
    file_name = models.CharField(_("tên tệp"), max_length=255, blank=True)
    summary = models.TextField(_("kết quả"), blank=True)
    # What went wrong, in the owner's language: [{"sheet", "row", "column", "message"}].
    errors = models.JSONField(_("lỗi"), default=list, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)
    expires_at = models.DateTimeField(_("xóa lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]
        verbose_name = _("việc chạy nền")
        verbose_name_plural = _("việc chạy nền")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_export(self) -> bool:
        return self.kind.startswith("export:")

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
