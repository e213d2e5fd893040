from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "units"
    verbose_name = _("Đơn vị")

    def ready(self):
        from django.db.backends.signals import connection_created

        connection_created.connect(_register_collation, dispatch_uid="units.vietnamese")
        from . import middleware, signals  # noqa: F401  (connect the sign-in and model signals)
        from .two_factor import middleware as _second_factor  # noqa: F401  (its sign-in signal)


def _register_collation(sender, connection, **kwargs):
    """SQLite has no Vietnamese collation: give each connection ours (``units.collation``)."""
    if connection.vendor == "sqlite":
        from .collation import sqlite_collation

        connection.connection.create_collation("vietnamese", sqlite_collation)
