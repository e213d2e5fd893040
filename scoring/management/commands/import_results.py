from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from scoring.importers import ImportFailed
from scoring.importers.base import read_plan
from scoring.importers.results import ResultsImporter
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
        try:
            content = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        importer = ResultsImporter(year=round_, roles=SYSTEM_ADMIN)
        try:
            with transaction.atomic():
                plan = read_plan(importer, content)
                self._print_plan(plan)
                if dry_run:
                    self.stdout.write("Dry run: nothing was written.")
                    return
                done = importer.apply(plan)
        except ImportFailed as exc:
            raise CommandError(self._problems([str(p) for p in exc.problems])) from exc
        except ValidationError as exc:
            raise CommandError(self._problems(exc.messages)) from exc
        except PermissionDenied as exc:  # pragma: no cover - SYSTEM_ADMIN may do it
            raise CommandError("Not allowed.") from exc
        self.stdout.write(self.style.SUCCESS(done))

    def _print_plan(self, plan) -> None:
        self.stdout.write(plan.summary)
        for change in plan.changes:
            old = f"{change.old} → " if change.old else ""
            self.stdout.write(f"  {change.subject} · {change.what}: {old}{change.new}")

    @staticmethod
    def _problems(messages: list[str]) -> str:
        lines = "\n".join(f"  {m}" for m in messages)
        return f"Nothing was imported; {len(messages)} problem(s):\n{lines}"
