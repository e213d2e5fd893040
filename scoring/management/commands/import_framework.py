from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.importers.framework import FrameworkImporter
from scoring.management.importing import read_file, run_import
from scoring.models import AssessmentYear
from units.models import UnitLevel
from units.roles import SYSTEM_ADMIN


class Command(BaseCommand):
    help = (
        "Import a framework from the Excel template (the sheet 'Bộ chỉ số' / 'Framework'). "
        "With --year, replace that year's framework (the year must be in preparation, with no "
        "scores yet); with --name, create a framework of its own for the unit level, e.g. the "
        "first one of a new installation, before any year exists. Every problem is printed as "
        "'sheet, row, column: message' and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the filled-in template (.xlsx)")
        parser.add_argument(
            "--level", required=True, help="the code of the unit level (e.g. cap-huyen)"
        )
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--year", type=int, help="replace the framework of this year")
        target.add_argument("--name", help="create a standalone framework with this name")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read and check the file and print what would change, writing nothing",
        )

    def handle(self, *args, file: Path, level: str, year, name, dry_run: bool, **options):
        try:
            unit_level = UnitLevel.objects.get(code=level)
        except UnitLevel.DoesNotExist:
            codes = ", ".join(UnitLevel.objects.values_list("code", flat=True)) or "-"
            raise CommandError(f"No unit level {level!r} (known: {codes}).") from None
        if year is not None:
            try:
                round_ = AssessmentYear.objects.select_related("framework", "unit_level").get(
                    year=year, unit_level=unit_level
                )
            except AssessmentYear.DoesNotExist:
                raise CommandError(f"No year {year} for the level {level!r}.") from None
            importer = FrameworkImporter(roles=SYSTEM_ADMIN, year=round_)
        else:
            if not name.strip():
                raise CommandError("--name must not be blank.")
            importer = FrameworkImporter(
                roles=SYSTEM_ADMIN, unit_level=unit_level, name=name.strip()
            )
        run_import(self, importer, read_file(file), dry_run=dry_run, name=Path(file).name)
