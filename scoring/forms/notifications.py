"""Each person's choices about notifications."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    email_notifications = forms.BooleanField(
        label=_("Nhận thông báo qua thư điện tử"), required=False
    )
    language = forms.ChoiceField(label=_("Ngôn ngữ của thư"), choices=settings.LANGUAGES)
