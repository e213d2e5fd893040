from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something a person should know: a step of the year, a submission, a flagged leaf, a
    deadline. Shown under the bell and, if the person wants it, sent by e-mail.

    The words are not stored: ``kind`` and ``params`` are rendered when shown or sent, in the
    reader's language. ``key`` makes a reminder unique per person, so a scheduled job run twice
    (even at the same moment) creates, and mails, each reminder once."""

    class Kind(models.TextChoices):
        YEAR_STEP = "year.step", _("Bước mới của kỳ đánh giá")
        FLAGGED = "leaf.flagged", _("Tiêu chí cần giải trình")
        SUBMITTED = "assessment.submitted", _("Đơn vị đã gửi tự đánh giá")
        EXPLANATION_SUBMITTED = "explanation.submitted", _("Đơn vị đã gửi giải trình")
        DEADLINE = "deadline", _("Sắp đến hạn")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    year = models.ForeignKey(
        "scoring.AssessmentYear",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kỳ đánh giá"),
    )
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị"),
    )
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    url = models.TextField(_("liên kết"), blank=True)
    key = models.CharField(_("khóa chống gửi trùng"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("đã gửi thư lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notification_unique_key",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()}"
