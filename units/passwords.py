"""Password rules (issue 10): Django's validators, with at least 12 characters.

Django 5.2 words the too-short error anew and its Vietnamese catalog has not caught up, so the
error would show in English; this validator words it in Vietnamese (translated in locale/en).
"""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def __init__(self, min_length=12):
        super().__init__(min_length)

    def get_error_message(self):
        return ngettext(
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            "Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.",
            self.min_length,
        ) % {"min_length": self.min_length}
