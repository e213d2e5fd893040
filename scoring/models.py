"""Years, frameworks, assessments, leaf scores and adjustments.

Models hold data and its local invariants only; scoring lives in ``rules``/``calculations`` and
every write of consequence goes through ``services``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from units.models import Unit, UnitLevel

from . import calculations, rules

POINTS = {"max_digits": 7, "decimal_places": 2}


def code_sort_key(code: str) -> str:
    """'1.10' must sort after '1.9': pad each numeric part so text order is tree order."""
    return ".".join(part.zfill(4) if part.isdigit() else part for part in code.split("."))


class Framework(models.Model):
    """A tree of criteria for one unit level (bộ chỉ số); a year points at one."""

    name = models.CharField(_("tên"), max_length=200)
    unit_level = models.ForeignKey(
        UnitLevel, on_delete=models.PROTECT, related_name="frameworks", verbose_name=_("cấp đơn vị")
    )
    max_points = models.DecimalField(_("tổng điểm tối đa"), default=Decimal(100), **POINTS)
    description = models.TextField(_("mô tả"), blank=True)
    created_at = models.DateTimeField(_("ngày tạo"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")

    def __str__(self):
        return self.name

    def tree_problems(self) -> list[str]:
        nodes = [
            calculations.TreeNode(code, parent, max_points, bool(rule))
            for code, parent, max_points, rule in self.nodes.values_list(
                "code", "parent__code", "max_points", "rule"
            )
        ]
        if not nodes:
            return [str(_("Bộ chỉ số chưa có tiêu chí nào."))]
        return calculations.check_tree(nodes, total=self.max_points)

    def clean(self):
        if self.pk and (problems := self.tree_problems()):
            raise ValidationError(problems)


class FrameworkNode(models.Model):
    """A field, criterion or sub-criterion. Leaves carry a rule; parents sum their children."""

    class FilledBy(models.TextChoices):
        UNIT = "unit", _("Đơn vị tự đánh giá")
        INTERIOR = "interior", _("Sở Nội vụ")

    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("bộ chỉ số")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("tiêu chí cha"),
    )
    code = models.CharField(_("mã"), max_length=20)
    sort_key = models.CharField(max_length=100, editable=False, db_index=True)
    title = models.CharField(_("nội dung"), max_length=500)
    max_points = models.DecimalField(
        _("điểm tối đa"), validators=[MinValueValidator(Decimal("0.01"))], **POINTS
    )
    rule = models.CharField(
        _("cách chấm"),
        max_length=20,
        choices=rules.RULE_CHOICES,
        blank=True,
        help_text=_("Để trống với lĩnh vực, tiêu chí có tiêu chí thành phần."),
    )
    rule_params = models.JSONField(_("tham số cách chấm"), default=dict, blank=True)
    allows_na = models.BooleanField(_("cho phép không áp dụng"), default=False)
    filled_by = models.CharField(
        _("người chấm"), max_length=10, choices=FilledBy.choices, default=FilledBy.UNIT
    )
    guide = models.TextField(_("hướng dẫn chấm"), blank=True)

    class Meta:
        ordering = ["framework", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="node_unique_code"),
            models.CheckConstraint(condition=models.Q(max_points__gt=0), name="node_max_positive"),
        ]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")

    def __str__(self):
        return f"{self.code}. {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = code_sort_key(self.code)
        super().save(*args, **kwargs)

    @property
    def is_leaf(self) -> bool:
        return bool(self.rule)

    @property
    def depth(self) -> int:
        return self.code.count(".")

    def clean(self):
        errors = {}
        if self.parent_id and self.parent.framework_id != self.framework_id:
            errors["parent"] = _("Tiêu chí cha phải thuộc cùng bộ chỉ số.")
        if self.parent_id and not self.code.startswith(f"{self.parent.code}."):
            errors["code"] = _("Mã phải bắt đầu bằng mã của tiêu chí cha và dấu chấm.")
        if self.rule:
            try:
                self.rule_params = rules.validate_params(
                    self.rule, self.rule_params, self.max_points or Decimal(0)
                )
            except rules.RuleError as exc:
                errors["rule_params"] = str(exc)
            if self.rule == "survey" and self.filled_by != self.FilledBy.INTERIOR:
                errors["filled_by"] = _("Tiêu chí điều tra xã hội học do Sở Nội vụ nhập.")
        elif self.rule_params:
            errors["rule_params"] = _("Chỉ tiêu chí thành phần mới có tham số cách chấm.")
        if errors:
            raise ValidationError(errors)


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

    DEADLINES = (
        "self_assessment_opens",
        "self_assessment_closes",
        "appraisal_closes",
        "explanation_closes",
        "final_appraisal_closes",
        "publication_due",
    )
    STATE_ORDER = tuple(State.values)

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

    class Meta:
        ordering = ["year", "unit__name"]
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


class AdjustmentKind(models.Model):
    """A kind of bonus or deduction the Interior Department applies (no provincial initiative …)."""

    class Direction(models.TextChoices):
        BONUS = "bonus", _("Điểm thưởng")
        DEDUCTION = "deduction", _("Điểm trừ")

    code = models.SlugField(_("mã"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=300)
    direction = models.CharField(_("loại"), max_length=10, choices=Direction.choices)
    per_occurrence = models.BooleanField(_("tính theo mỗi trường hợp"), default=False)
    default_points = models.DecimalField(_("điểm mặc định"), null=True, blank=True, **POINTS)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["direction", "name"]
        verbose_name = _("loại điểm thưởng/trừ")
        verbose_name_plural = _("loại điểm thưởng/trừ")

    def __str__(self):
        return self.name


class Adjustment(models.Model):
    """One entry of the bonus/deduction ledger. ``points`` is positive; the kind gives the sign."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="adjustments",
        verbose_name=_("bản đánh giá"),
    )
    kind = models.ForeignKey(
        AdjustmentKind, on_delete=models.PROTECT, related_name="entries", verbose_name=_("loại")
    )
    # Copied from the kind when the entry is made: an entry is a fact of its year, and editing a
    # kind later must not turn a published deduction into a bonus.
    direction = models.CharField(
        _("thưởng/trừ"), max_length=10, choices=AdjustmentKind.Direction.choices, editable=False
    )
    points = models.DecimalField(
        _("điểm"), validators=[MinValueValidator(Decimal("0.01"))], **POINTS
    )
    count = models.PositiveIntegerField(_("số trường hợp"), null=True, blank=True)
    reason = models.TextField(_("lý do"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người nhập"),
    )
    created_at = models.DateTimeField(_("ngày nhập"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gt=0), name="adjustment_points_positive"
            )
        ]
        verbose_name = _("điểm thưởng/trừ")
        verbose_name_plural = _("điểm thưởng/trừ")

    def __str__(self):
        return f"{self.kind}: {self.points}"
