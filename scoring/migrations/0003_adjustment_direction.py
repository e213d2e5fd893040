from django.db import migrations, models


def copy_direction(apps, schema_editor):
    Adjustment = apps.get_model("scoring", "Adjustment")
    for direction in ("bonus", "deduction"):
        Adjustment.objects.filter(kind__direction=direction).update(direction=direction)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_default_adjustment_kinds")]

    operations = [
        migrations.AddField(
            model_name="adjustment",
            name="direction",
            field=models.CharField(
                choices=[("bonus", "Điểm thưởng"), ("deduction", "Điểm trừ")],
                default="deduction",
                editable=False,
                max_length=10,
                verbose_name="thưởng/trừ",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_direction, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="adjustment",
            name="kind",
            field=models.ForeignKey(
                on_delete=models.deletion.PROTECT,
                related_name="entries",
                to="scoring.adjustmentkind",
                verbose_name="loại",
            ),
        ),
    ]
