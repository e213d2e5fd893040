from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.importers.results import ResultsImporter
from scoring.management.importing import read_file, run_import
from scoring.models import AssessmentYear
from units.models import UnitLevel
from units.roles import SYSTEM_ADMIN


class Command(BaseCommand):
    help = (
        "Import the published results of a year before the app was used, from a score matrix "
        "(per leaf, as the matrix export writes it, or per field), then publish the year. The "
        "year must exist and be in state 'preparing'. The ranking is computed by the app."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx workbook")
        parser.add_argument("--year", type=int, required=True, help="e.g. 2021")
        parser.add_argument("--level", required=True, help="unit level code, e.g. cap-huyen")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would change; write nothing"
        )

    def handle(self, *args, file, year, level, dry_run, **options):
        if not UnitLevel.objects.filter(code=level).exists():
            codes = ", ".join(UnitLevel.objects.values_list("code", flat=True))
            raise CommandError(f"Unknown unit level {level!r} (known: {codes}).")
        round_ = AssessmentYear.objects.filter(year=year, unit_level__code=level).first()
        if round_ is None:
            raise CommandError(
                f"No year {year} for level {level!r}: create it in the app first "
                "(state 'preparing', with its framework)."
            )
        importer = ResultsImporter(year=round_, roles=SYSTEM_ADMIN)
        run_import(self, importer, read_file(file), dry_run=dry_run, name=Path(file).name)
