"""Django admin of units, levels, memberships and (for superusers) accounts.

Every edit here leaves one line in the audit log: reference lists through ``ReferenceAdmin``,
memberships through the model signals (``units.signals``), accounts through ``AccountAdmin``.
The separation of duties is checked on the forms, so a refusal reads as a message."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from scoring import audit

from . import services
from .collation import VietnameseOrder
from .models import Membership, SecondFactorPolicy, Unit, UnitLevel, UnitSuccession
from .roles import check_duties
from .signals import FLAGS, described, group_names


class ReferenceAdmin(admin.ModelAdmin):
    """A reference list: each addition, change and removal is one audit line, old → new."""

    def audit_values(self, obj) -> dict:
        return {
            f.name: getattr(obj, f.name)
            for f in obj._meta.concrete_fields
            if f.editable and not f.primary_key
        }

    def audit_unit(self, obj):
        return None

    def _record(self, obj, old: dict, new: dict, *, unit=None) -> None:
        changes = audit.diff(old, new)
        if changes:
            audit.record(
                audit.Kind.REFERENCE,
                unit=unit,
                target=f"{obj._meta.verbose_name}: {obj}",
                changes=changes,
            )

    def save_model(self, request, obj, form, change):
        # The row as stored, not the form's initial data: a list_editable save has none.
        old = self.audit_values(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        new = self.audit_values(obj)
        if not change:  # an addition: its blank texts say nothing
            new = {name: value for name, value in new.items() if value != ""}
        self._record(obj, old, new, unit=self.audit_unit(obj))

    def delete_model(self, request, obj):
        self._record(obj, self.audit_values(obj), {})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._record(obj, self.audit_values(obj), {})
        super().delete_queryset(request, queryset)


@admin.register(UnitLevel)
class UnitLevelAdmin(ReferenceAdmin):
    list_display = ["name", "code", "order", "members_phrase"]


@admin.register(Unit)
class UnitAdmin(ReferenceAdmin):
    list_display = ["unit_name", "code", "kind", "level", "is_active"]
    list_filter = ["level", "kind", "is_active"]
    search_fields = ["name", "code"]

    # The name column sorts in Vietnamese order when clicked too, not by code point (a plain
    # field column would put "Đức Thọ" after "Vũ Quang").
    @admin.display(
        description=Unit._meta.get_field("name").verbose_name, ordering=VietnameseOrder("name")
    )
    def unit_name(self, obj):
        return obj.name

    def audit_unit(self, obj):
        return obj


class UnitSuccessionForm(forms.ModelForm):
    # Django's Vietnamese locale names no input format, so "01/07/2025" would be read the
    # American way (7 January). Day first, as Vietnamese documents write it, or ISO (what the
    # admin's calendar puts in).
    effective_on = forms.DateField(
        label=UnitSuccession._meta.get_field("effective_on").verbose_name,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=AdminDateWidget,
        help_text=_("Ngày/tháng/năm, ví dụ 01/07/2025."),
    )

    class Meta:
        model = UnitSuccession
        fields = ["predecessor", "successor", "kind", "effective_on", "note"]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(ReferenceAdmin):
    """Merges, splits and renames. ``UnitSuccession.clean`` refuses a link to itself and a
    circle; each change is one audit line, under the unit that took over."""

    form = UnitSuccessionForm
    list_display = ["predecessor", "successor", "kind", "effective_on", "note"]
    list_filter = ["kind", "successor__level"]
    search_fields = ["predecessor__name", "successor__name", "predecessor__code", "successor__code"]
    autocomplete_fields = ["predecessor", "successor"]
    list_select_related = ["predecessor", "successor"]
    date_hierarchy = "effective_on"

    def audit_unit(self, obj):
        return obj.successor


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    # Membership.clean refuses an Interior Department account; the signals write the log.
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit"]
    ordering = [VietnameseOrder("unit__name"), "user__username"]
    search_fields = ["user__username", "user__last_name", "unit__name"]
    raw_id_fields = ["user"]
    list_select_related = ["user", "unit"]


@admin.register(SecondFactorPolicy)
class SecondFactorPolicyAdmin(admin.ModelAdmin):
    """Read-only here: the policy is changed on its page in the app (accounts → two-factor),
    which writes the audit line."""

    list_display = ["role", "required"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- accounts (superusers only: the Interior Department's admins have no right on users) ---


class CheckedUserChangeForm(UserChangeForm):
    """Django's user form, refusing groups or a superuser flag that clash with the account's
    unit memberships (separation of duties)."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        groups = cleaned.get("groups")
        try:
            check_duties(
                self.instance,
                groups=[g.name for g in groups] if groups is not None else None,
                is_superuser=cleaned.get("is_superuser", self.instance.is_superuser),
            )
        except ValidationError as exc:
            self.add_error("groups" if "groups" in self.fields else None, exc)
        return cleaned


class AuditedPasswordForm(AdminPasswordChangeForm):
    """A password a superuser sets here is temporary, like one set on the accounts page."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            services.record_temporary_password(user)
        return user


def account_values(user: User) -> dict:
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        **audit.values_of(user, FLAGS),
        "groups": group_names(user.pk),
        "user_permissions": sorted(
            f"{app}.{code}"
            for app, code in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    form = CheckedUserChangeForm
    change_password_form = AuditedPasswordForm

    # One save of this page is one audit line: the user row and its groups are written quietly
    # and compared as a whole once both are stored.
    def save_model(self, request, obj, form, change):
        form._cchc_before = account_values(User.objects.get(pk=obj.pk)) if change else {}
        with described():
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with described():
            super().save_related(request, form, formsets, change)
        user = form.instance
        after = account_values(user)
        if not change:  # a new account: its empty lists and blank names say nothing
            after = {name: value for name, value in after.items() if value not in ("", [])}
        changes = audit.diff(getattr(form, "_cchc_before", {}), after)
        if changes:
            audit.record(audit.Kind.ACCOUNT, target=user.get_username(), changes=changes)
