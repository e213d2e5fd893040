from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One change of consequence: who, when, by which path, what changed (old → new).

    Append-only: written by ``scoring.audit`` from services, imports, commands and the Django
    admin; nothing in the app edits or deletes a row. A removed record is kept here in full
    (``changes`` holds its values as old → nothing)."""

    class Kind(models.TextChoices):
        YEAR_CREATE = "year.create", _("Tạo kỳ đánh giá")
        YEAR_STEP = "year.step", _("Chuyển bước kỳ đánh giá")
        YEAR_STEP_BACK = "year.step_back", _("Lùi bước kỳ đánh giá")
        YEAR_REOPEN = "year.reopen", _("Mở lại kỳ đã công bố")
        YEAR_DEADLINES = "year.deadlines", _("Mốc thời gian")
        YEAR_SETTINGS = "year.settings", _("Thiết lập xếp hạng")
        FRAMEWORK = "framework", _("Bộ chỉ số")
        ASSIGNMENT = "assignment", _("Phân công thẩm định")
        SELF = "leaf.self", _("Tự đánh giá")
        EVIDENCE = "leaf.evidence", _("Tài liệu kiểm chứng")
        APPRAISAL = "leaf.appraisal", _("Thẩm định")
        EXPLANATION = "leaf.explanation", _("Giải trình")
        SURVEY = "leaf.survey", _("Điều tra xã hội học")
        LEDGER_ADD = "ledger.add", _("Thêm điểm thưởng/trừ")
        LEDGER_REMOVE = "ledger.remove", _("Xóa điểm thưởng/trừ")
        SUBMIT = "assessment.submit", _("Gửi tự đánh giá")
        WITHDRAW = "assessment.withdraw", _("Rút lại tự đánh giá")
        RESULTS = "results.import", _("Nhập kết quả")
        BASELINE = "baseline", _("Dữ liệu ban đầu")
        ACCOUNT = "account", _("Tài khoản")
        MEMBERSHIP = "membership", _("Thành viên đơn vị")
        REFERENCE = "reference", _("Danh mục")

    class Path(models.TextChoices):
        PAGE = "page", _("Trang của ứng dụng")
        IMPORT = "import", _("Nhập từ Excel")
        ADMIN = "admin", _("Trang quản trị Django")
        COMMAND = "command", _("Lệnh quản trị")
        DEMO = "demo", _("Dữ liệu mẫu")
        SYSTEM = "system", _("Hệ thống")

    at = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thực hiện"),
    )
    # The name as it was: an account renamed or deactivated later still reads right here.
    actor_name = models.CharField(_("tên người thực hiện"), max_length=300, blank=True)
    path = models.CharField(_("đường thực hiện"), max_length=10, choices=Path.choices)
    source = models.TextField(_("nguồn"), blank=True)  # a page's address, a file and its hash …
    kind = models.CharField(_("loại thay đổi"), max_length=30, choices=Kind.choices)
    year = models.ForeignKey(
        "scoring.AssessmentYear",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kỳ đánh giá"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị"),
    )
    field_code = models.CharField(_("lĩnh vực"), max_length=20, blank=True)
    node_code = models.CharField(_("tiêu chí"), max_length=20, blank=True)
    target = models.TextField(_("đối tượng"), blank=True)
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)  # {name: [old, new]}
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["year", "-at"], name="audit_year_at"),
            models.Index(fields=["unit", "-at"], name="audit_unit_at"),
        ]
        verbose_name = _("nhật ký thay đổi")
        verbose_name_plural = _("nhật ký thay đổi")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.target}"
