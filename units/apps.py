from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "units"
    verbose_name = _("Đơn vị")

    def ready(self):
        from . import middleware, signals  # noqa: F401  (connect the sign-in and model signals)
        from .two_factor import middleware as _second_factor  # noqa: F401  (its sign-in signal)
