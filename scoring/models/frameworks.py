from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from units.models import UnitLevel

from .. import calculations, rules
from .common import POINTS, code_sort_key


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
    # The leaf said as what was missing, for reports of lost points: "không có sáng kiến …
    # được công nhận cấp tỉnh" for "Có sáng kiến … được công nhận cấp tỉnh".
    shortfall = models.CharField(
        _("diễn đạt khi bị mất điểm"),
        max_length=500,
        blank=True,
        help_text=_(
            "Ví dụ “không có sáng kiến được công nhận cấp tỉnh”. Để trống: phần mềm tự diễn đạt "
            "từ nội dung tiêu chí."
        ),
    )

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
    def is_survey(self) -> bool:
        return self.rule == "survey"

    @property
    def field_code(self) -> str:
        """The code of the field (top-level node) this node belongs to."""
        return self.code.split(".", 1)[0]

    @property
    def dom_id(self) -> str:
        """The code made fit for an HTML id and a CSS selector (no dots)."""
        return self.code.replace(".", "-")

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
