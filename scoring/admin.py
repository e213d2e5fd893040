"""Django admin: kinds of bonus and deduction and the appraisal reasons are edited here (each
edit one audit line, old → new); everything else is read-only, because years, frameworks and
scores change only through the services and their checks."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from units.admin import ReferenceAdmin

from .models import (
    Adjustment,
    AdjustmentKind,
    AppraisalReason,
    Assessment,
    AssessmentYear,
    AuditEvent,
    Band,
    Framework,
    FrameworkNode,
    LeafScore,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AdjustmentKindForm(forms.ModelForm):
    class Meta:
        model = AdjustmentKind
        fields = ["code", "name", "direction", "per_occurrence", "default_points", "is_active"]

    def clean_direction(self):
        direction = self.cleaned_data["direction"]
        kind = self.instance  # still as stored: the form's values are copied in after clean
        if kind.pk is not None and direction != kind.direction and kind.entries.exists():
            # Each entry keeps the direction it was made with; a kind whose entries read
            # "bonus" while the kind says "deduction" would confuse every later reader.
            raise forms.ValidationError(
                _(
                    "Loại này đã có điểm thưởng/trừ được nhập nên không đổi được chiều "
                    "thưởng/trừ. Hãy tạo một loại mới và ngừng dùng loại này."
                ),
                code="direction_locked",
            )
        return direction


@admin.register(AdjustmentKind)
class AdjustmentKindAdmin(ReferenceAdmin):
    form = AdjustmentKindForm
    list_display = ["name", "code", "direction", "per_occurrence", "default_points", "is_active"]
    list_filter = ["direction", "is_active"]


@admin.register(AppraisalReason)
class AppraisalReasonAdmin(ReferenceAdmin):
    """The list appraisers choose reasons from; the admins extend it here."""

    list_display = ["label", "code", "needs_comment", "order", "is_active"]
    list_editable = ["order", "is_active"]


class NodeInline(ReadOnlyInline):
    model = FrameworkNode
    fields = [
        "code",
        "title",
        "max_points",
        "rule",
        "rule_params",
        "allows_na",
        "filled_by",
        "shortfall",
    ]
    ordering = ["sort_key"]


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ["name", "unit_level", "max_points", "created_at"]
    inlines = [NodeInline]


class BandInline(ReadOnlyInline):
    model = Band


@admin.register(AssessmentYear)
class AssessmentYearAdmin(ReadOnlyAdmin):
    list_display = ["year", "unit_level", "state", "framework", "published_at"]
    list_filter = ["unit_level", "state"]
    inlines = [BandInline]


class LeafScoreInline(ReadOnlyInline):
    model = LeafScore
    fields = ["node", "self_score", "not_applicable", "r1_score", "r2_score"]


class AdjustmentInline(ReadOnlyInline):
    model = Adjustment
    fields = ["kind", "points", "count", "reason", "created_by"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year"]
    list_filter = ["year__year", "year__unit_level"]
    list_select_related = ["unit", "year__unit_level"]
    inlines = [LeafScoreInline, AdjustmentInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Every line of the change log, including those of no year (accounts, memberships, the
    reference lists), which the year's log page leaves out. Read-only: the log is append-only."""

    list_display = ["at", "actor_name", "kind", "path", "target", "year", "unit"]
    list_filter = ["kind", "path", "year"]
    search_fields = ["actor_name", "target", "source", "note"]
    list_select_related = ["year__unit_level", "unit"]
    date_hierarchy = "at"
