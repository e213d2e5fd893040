from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .assessments import Assessment
from .common import POINTS
from .evidence import private_storage


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
    document = models.FileField(
        _("tài liệu"), upload_to="adjustments/", storage=private_storage, blank=True
    )
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
            ),
            # An entry without its direction would count neither as a bonus nor as a deduction
            # (generated bench data once stored such entries): the database refuses it.
            models.CheckConstraint(
                condition=models.Q(direction__in=["bonus", "deduction"]),
                name="adjustment_direction_known",
            ),
        ]
        verbose_name = _("điểm thưởng/trừ")
        verbose_name_plural = _("điểm thưởng/trừ")

    def __str__(self):
        return f"{self.kind}: {self.points}"
