from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scoring.importers import ImportFailed
from scoring.importers.base import read_plan
from scoring.importers.framework import FrameworkImporter
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
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        try:
            with transaction.atomic():
                plan = read_plan(importer, content)
                self._print_plan(plan)
                if dry_run:
                    self.stdout.write(_("Chạy thử: chưa có gì được ghi."))
                    return
                done = importer.apply(plan)
        except ImportFailed as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                ngettext(
                    "Tệp có %(n)s lỗi; chưa có gì được ghi.",
                    "Tệp có %(n)s lỗi; chưa có gì được ghi.",
                    len(exc.problems),
                )
                % {"n": len(exc.problems)}
            ) from exc
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(_("Chưa có gì được ghi.")) from exc
        self.stdout.write(self.style.SUCCESS(done))

    def _print_plan(self, plan) -> None:
        self.stdout.write(plan.summary)
        for change in plan.changes:
            self.stdout.write(
                f"  {change.subject} · {change.what}: {change.old or '—'} → {change.new or '—'}"
            )
