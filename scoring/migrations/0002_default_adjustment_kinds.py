from django.db import migrations

from scoring.defaults import ensure_adjustment_kinds


def create_kinds(apps, schema_editor):
    ensure_adjustment_kinds(apps.get_model("scoring", "AdjustmentKind"))


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(create_kinds, migrations.RunPython.noop)]
