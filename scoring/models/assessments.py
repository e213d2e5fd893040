from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from units.collation import VietnameseOrder
from units.models import Unit

from .. import calculations
from .common import POINTS
from .frameworks import FrameworkNode
from .years import AssessmentYear


class Assessment(models.Model):
    """A unit's assessment in a year; its existence is what makes the unit assessed that year."""

    year = models.ForeignKey(
        AssessmentYear,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("kỳ đánh giá"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("đơn vị")
    )
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang nhập")
        SUBMITTED = "submitted", _("Đã gửi")

    status = models.CharField(
        _("trạng thái tự đánh giá"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    # Optimistic locking of the bonus/deduction ledger as a whole: two admins working from the
    # same page must not both enter the same deduction (services.concurrency).
    ledger_version = models.PositiveIntegerField(_("phiên bản sổ điểm"), default=0, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi"),
    )
    # The explanation round ends with the leader's explicit sending: until then the answers
    # are a draft the Interior Department does not treat as final.
    explanation_submitted_at = models.DateTimeField(_("gửi giải trình lúc"), null=True, blank=True)
    explanation_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người gửi giải trình"),
    )

    class Meta:
        ordering = ["year", VietnameseOrder("unit__name")]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit"], name="assessment_unique_unit")
        ]
        verbose_name = _("bản đánh giá")
        verbose_name_plural = _("bản đánh giá")

    def __str__(self):
        return f"{self.unit} · {self.year.year}"


class LeafScore(models.Model):
    """Every layer of one leaf for one unit, side by side: self, round 1, explanation, round 2."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="leaves", verbose_name=_("bản đánh giá")
    )
    node = models.ForeignKey(
        FrameworkNode, on_delete=models.PROTECT, related_name="scores", verbose_name=_("tiêu chí")
    )
    declared = models.JSONField(_("số liệu kê khai"), default=dict, blank=True)
    self_score = models.DecimalField(_("điểm tự chấm"), null=True, blank=True, **POINTS)
    not_applicable = models.BooleanField(_("không áp dụng"), default=False)
    na_reason = models.TextField(_("lý do không áp dụng"), blank=True)
    explanation = models.TextField(_("thuyết minh"), blank=True)
    r1_score = models.DecimalField(_("điểm thẩm định"), null=True, blank=True, **POINTS)
    r1_reason = models.CharField(_("lý do"), max_length=200, blank=True)
    r1_comment = models.TextField(_("nhận xét"), blank=True)
    explanation_answer = models.TextField(_("giải trình của đơn vị"), blank=True)
    r2_score = models.DecimalField(_("điểm thẩm định lại"), null=True, blank=True, **POINTS)
    r2_reason = models.CharField(_("lý do thẩm định lại"), max_length=200, blank=True)
    r2_comment = models.TextField(_("nhận xét thẩm định lại"), blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người cập nhật"),
    )
    # Optimistic locking: a save states the version it was edited from, and is refused when
    # someone else saved the leaf in between (nobody's input is silently overwritten).
    version = models.PositiveIntegerField(_("phiên bản"), default=0)
    # The appraisal layer has its own author and lock: the unit's page never shows who
    # appraised, and appraisers' saves do not collide with the unit's.
    flagged = models.BooleanField(_("yêu cầu giải trình"), default=False)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thẩm định"),
    )
    appraisal_version = models.PositiveIntegerField(_("phiên bản thẩm định"), default=0)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "node"], name="leafscore_unique_node"),
            models.CheckConstraint(
                condition=(
                    (models.Q(self_score__isnull=True) | models.Q(self_score__gte=0))
                    & (models.Q(r1_score__isnull=True) | models.Q(r1_score__gte=0))
                    & (models.Q(r2_score__isnull=True) | models.Q(r2_score__gte=0))
                ),
                name="leafscore_scores_not_negative",
            ),
        ]
        verbose_name = _("điểm tiêu chí")
        verbose_name_plural = _("điểm tiêu chí")

    def __str__(self):
        return f"{self.assessment} · {self.node.code}"

    @property
    def final_score(self):
        return calculations.final_score(self.r1_score, self.r2_score)
