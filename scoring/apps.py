from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring"
    verbose_name = _("Chỉ số CCHC")

    def ready(self):
        from units.roles import sync_role_groups

        # Sent for this app after auth has created the permissions of every app before it
        # (units, auth) and of this one, so every permission a group needs exists by then.
        post_migrate.connect(sync_role_groups, sender=self, dispatch_uid="sync_role_groups")
