from django.db import migrations

from scoring.defaults import ensure_appraisal_reasons


def create_reasons(apps, schema_editor):
    ensure_appraisal_reasons(apps.get_model("scoring", "AppraisalReason"))


class Migration(migrations.Migration):
    dependencies = [("scoring", "0003_appraisal")]
    operations = [migrations.RunPython(create_reasons, migrations.RunPython.noop)]
