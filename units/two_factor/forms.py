from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import SecondFactorPolicy


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực (6 chữ số trong ứng dụng)"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label=_("Mã khôi phục"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class PolicyForm(forms.Form):
    """One box per role: whether its accounts must confirm each sign-in with a second factor."""

    def __init__(self, *args, policy: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(SecondFactorPolicy.Role.choices)
        for role, required in policy.items():
            self.fields[role] = forms.BooleanField(
                label=labels[role],
                required=False,
                initial=required,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
