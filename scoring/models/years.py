from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from units.models import UnitLevel

from .. import calculations
from .common import POINTS
from .frameworks import Framework


class AssessmentYear(models.Model):
    """One round of the index for one unit level: its framework, deadlines, and state."""

    class State(models.TextChoices):
        PREPARING = "preparing", _("Chuẩn bị")
        SELF_ASSESSMENT = "self_assessment", _("Tự đánh giá")
        APPRAISAL = "appraisal", _("Thẩm định")
        EXPLANATION = "explanation", _("Giải trình")
        FINAL_APPRAISAL = "final_appraisal", _("Thẩm định lại")
        PUBLISHED = "published", _("Đã công bố")

    class TiePolicy(models.TextChoices):
        COMPETITION = calculations.TIE_COMPETITION, _("Đồng hạng, bỏ hạng kế tiếp (1, 1, 3)")
        DENSE = calculations.TIE_DENSE, _("Đồng hạng, không bỏ hạng (1, 1, 2)")

    year = models.PositiveSmallIntegerField(_("năm"))
    unit_level = models.ForeignKey(
        UnitLevel, on_delete=models.PROTECT, related_name="years", verbose_name=_("cấp đơn vị")
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="years", verbose_name=_("bộ chỉ số")
    )
    state = models.CharField(
        _("trạng thái"), max_length=20, choices=State.choices, default=State.PREPARING
    )
    tie_policy = models.CharField(
        _("cách xếp đồng hạng"),
        max_length=12,
        choices=TiePolicy.choices,
        default=TiePolicy.COMPETITION,
    )
    bonus_max = models.DecimalField(_("điểm thưởng tối đa"), default=Decimal(5), **POINTS)
    deduction_max = models.DecimalField(_("điểm trừ tối đa"), default=Decimal(10), **POINTS)
    self_assessment_opens = models.DateTimeField(_("mở tự đánh giá"), null=True, blank=True)
    self_assessment_closes = models.DateTimeField(_("hạn tự đánh giá"), null=True, blank=True)
    appraisal_closes = models.DateTimeField(_("hạn thẩm định"), null=True, blank=True)
    explanation_closes = models.DateTimeField(_("hạn giải trình"), null=True, blank=True)
    final_appraisal_closes = models.DateTimeField(_("hạn thẩm định lại"), null=True, blank=True)
    publication_due = models.DateTimeField(_("dự kiến công bố"), null=True, blank=True)
    published_at = models.DateTimeField(_("ngày công bố"), null=True, blank=True, editable=False)
    # Optimistic locking of the year's settings and deadlines (services.concurrency).
    version = models.PositiveIntegerField(_("phiên bản"), default=0, editable=False)

    DEADLINES = (
        "self_assessment_opens",
        "self_assessment_closes",
        "appraisal_closes",
        "explanation_closes",
        "final_appraisal_closes",
        "publication_due",
    )
    STATE_ORDER = tuple(State.values)
    # The deadline that closes each step: the one the step's people work towards (what the
    # home page counts down to, what reminders and a step's notification name).
    STEP_DEADLINES = {
        State.SELF_ASSESSMENT: "self_assessment_closes",
        State.APPRAISAL: "appraisal_closes",
        State.EXPLANATION: "explanation_closes",
        State.FINAL_APPRAISAL: "final_appraisal_closes",
    }

    class Meta:
        ordering = ["-year", "unit_level"]
        constraints = [
            models.UniqueConstraint(fields=["year", "unit_level"], name="year_unique_level"),
            models.CheckConstraint(
                condition=models.Q(bonus_max__gte=0) & models.Q(deduction_max__gte=0),
                name="year_caps_not_negative",
            ),
        ]
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")

    def __str__(self):
        return f"{self.year} · {self.unit_level}"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def in_appraisal(self) -> bool:
        """Between the close of self-assessment and publication: the appraisers' time."""
        return self.state in (
            self.State.APPRAISAL,
            self.State.EXPLANATION,
            self.State.FINAL_APPRAISAL,
        )

    @property
    def next_state(self) -> str | None:
        position = self.STATE_ORDER.index(self.state)
        return self.STATE_ORDER[position + 1] if position + 1 < len(self.STATE_ORDER) else None

    def clean(self):
        if (
            self.framework_id
            and self.unit_level_id
            and self.framework.unit_level_id != self.unit_level_id
        ):
            raise ValidationError({"framework": _("Bộ chỉ số phải dành cho cùng cấp đơn vị.")})
        previous = None
        for name in self.DEADLINES:
            value = getattr(self, name)
            if value is None:
                continue
            if previous is not None and value < previous[1]:
                raise ValidationError(
                    {name: _("Các mốc thời gian phải theo đúng thứ tự của kỳ đánh giá.")}
                )
            previous = (name, value)


class Band(models.Model):
    """A grade a province gives by index (A ≥ 90, Tốt, Khá …); data of the year, possibly none."""

    year = models.ForeignKey(
        AssessmentYear,
        on_delete=models.CASCADE,
        related_name="bands",
        verbose_name=_("kỳ đánh giá"),
    )
    label = models.CharField(_("xếp loại"), max_length=40)
    lower_bound = models.DecimalField(
        _("từ chỉ số"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        ordering = ["year", "-lower_bound"]
        constraints = [
            models.UniqueConstraint(fields=["year", "label"], name="band_unique_label"),
            models.UniqueConstraint(fields=["year", "lower_bound"], name="band_unique_bound"),
        ]
        verbose_name = _("xếp loại")
        verbose_name_plural = _("xếp loại")

    def __str__(self):
        return f"{self.label} ≥ {self.lower_bound}"


class FieldAssignment(models.Model):
    """An appraiser appraises the leaves of the fields assigned to them for a year (the
    council's member departments each take their own fields)."""

    year = models.ForeignKey(
        AssessmentYear,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("kỳ đánh giá"),
    )
    field = models.ForeignKey(
        "scoring.FrameworkNode",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("lĩnh vực"),
    )
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="field_assignments",
        verbose_name=_("người thẩm định"),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "field", "appraiser"], name="assignment_unique")
        ]
        verbose_name = _("phân công thẩm định")
        verbose_name_plural = _("phân công thẩm định")

    def __str__(self):
        return f"{self.year} · {self.field.code} · {self.appraiser}"


class AppraisalReason(models.Model):
    """A reason an appraiser gives for a score (missing evidence, late …); admins extend the
    list. The reason's text is copied onto the leaf, so renaming one later rewrites nothing."""

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    label = models.CharField(_("lý do"), max_length=200)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    needs_comment = models.BooleanField(_("cần nhận xét kèm theo"), default=False)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["order", "label"]
        verbose_name = _("lý do thẩm định")
        verbose_name_plural = _("lý do thẩm định")

    def __str__(self):
        return self.label


class YearReopening(models.Model):
    """A published year taken back for a correction: explicit, with a reason, and shown on the
    ranking afterwards."""

    year = models.ForeignKey(
        AssessmentYear,
        on_delete=models.CASCADE,
        related_name="reopenings",
        verbose_name=_("kỳ đánh giá"),
    )
    reason = models.TextField(_("lý do"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("người mở lại"),
    )
    at = models.DateTimeField(_("lúc"), auto_now_add=True)
    previously_published_at = models.DateTimeField(_("đã công bố lúc"), null=True)

    class Meta:
        ordering = ["year", "at"]
        verbose_name = _("lần mở lại để sửa")
        verbose_name_plural = _("lần mở lại để sửa")

    def __str__(self):
        return f"{self.year} · {self.at:%d/%m/%Y}"
