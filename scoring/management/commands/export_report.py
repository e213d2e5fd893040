"""`manage.py export_report matrix --year 2023 --level cap-huyen --output ma-tran.xlsx`:
any registered Excel report to a file, with the Interior Department admin's rights (it sees
unpublished years and every layer)."""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from scoring.exporters import EXPORTERS
from scoring.models import Assessment, AssessmentYear
from units.models import UnitLevel
from units.roles import SYSTEM_ADMIN


def _known(values) -> str:
    return ", ".join(sorted(values)) or "none"


class Command(BaseCommand):
    help = (
        "Write an Excel report to a file, with full rights (unpublished years and every "
        f"column included). Reports: {_known(EXPORTERS)}. A year's reports (ranking, matrix) "
        "need --year and --level; a unit's scorecard also --unit; the history of a level "
        "needs only --level."
    )

    def add_arguments(self, parser):
        parser.add_argument("exporter", help=f"the report to write: {_known(EXPORTERS)}")
        parser.add_argument(
            "--year", type=int, help="the assessment year, e.g. 2023 (ranking, matrix, scorecard)"
        )
        parser.add_argument(
            "--level", help="the code of the unit level, e.g. cap-huyen (every report)"
        )
        parser.add_argument("--unit", help="the code of the unit, e.g. vu-quang (scorecard)")
        parser.add_argument(
            "--output",
            required=True,
            help="the file to write, .xlsx (or .docx for the Word reports), replaced if it exists; "
            "its folder must exist",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help=f"the language of the report's headers (default: {settings.LANGUAGE_CODE})",
        )

    def handle(self, *args, **options):
        exporter_class = EXPORTERS.get(options["exporter"])
        if exporter_class is None:
            raise CommandError(
                f"Unknown report {options['exporter']!r}; known reports: {_known(EXPORTERS)}."
            )
        languages = dict(settings.LANGUAGES)
        if options["language"] not in languages:  # call_command's keywords skip the parser
            raise CommandError(
                f"Unknown language {options['language']!r}; languages: {_known(languages)}."
            )
        output = Path(options["output"])
        if output.is_dir():
            raise CommandError(f"Cannot write {output}: it is a folder.")
        if not output.parent.is_dir():
            raise CommandError(f"Cannot write {output}: the folder {output.parent} does not exist.")
        with translation.override(options["language"]):
            exporter = self._exporter(exporter_class, options)
            self._write(exporter, output)
            label = str(exporter_class.label)
        self.stdout.write(self.style.SUCCESS(f"{label}: {output}"))

    def _exporter(self, exporter_class, options):
        level = self._level(options["level"])
        if exporter_class.scope == "level":
            return exporter_class(level=level)
        year = self._year(level, options["year"], exporter_class.identifier)
        if exporter_class.scope == "year":
            return exporter_class(year=year)
        return exporter_class(
            assessment=self._assessment(year, options["unit"], exporter_class.identifier),
            roles=SYSTEM_ADMIN,
        )

    def _level(self, code: str | None) -> UnitLevel:
        levels = dict(UnitLevel.objects.values_list("code", "id"))
        if not code:
            raise CommandError(f"--level is needed; unit levels: {_known(levels)}.")
        if code not in levels:
            raise CommandError(f"No unit level {code!r}; unit levels: {_known(levels)}.")
        return UnitLevel.objects.get(pk=levels[code])

    def _year(self, level: UnitLevel, number: int | None, identifier: str) -> AssessmentYear:
        years = AssessmentYear.objects.select_related("unit_level", "framework").filter(
            unit_level=level
        )
        on_record = _known(str(y) for y in years.values_list("year", flat=True))
        if number is None:
            raise CommandError(
                f"--year is needed for the {identifier} report; years of {level.code}: {on_record}."
            )
        year = years.filter(year=number).first()
        if year is None:
            raise CommandError(f"No year {number} for {level.code}; years on record: {on_record}.")
        return year

    def _assessment(self, year: AssessmentYear, code: str | None, identifier: str) -> Assessment:
        units = Assessment.objects.filter(year=year).values_list("unit__code", flat=True)
        if not code:
            raise CommandError(
                f"--unit is needed for the {identifier} report; units assessed in "
                f"{year.year}: {_known(units)}."
            )
        assessment = (
            Assessment.objects.select_related("year__unit_level", "year__framework", "unit")
            .filter(year=year, unit__code=code)
            .first()
        )
        if assessment is None:
            raise CommandError(
                f"No unit {code!r} assessed in {year.year} at {year.unit_level.code}; "
                f"units assessed: {_known(units)}."
            )
        return assessment

    def _write(self, exporter, output: Path) -> None:
        """Into a temporary file beside the output, renamed at the end: a failure leaves no
        half-written report, and an older report at that path stays until the new one is
        whole."""
        partial: Path | None = None
        try:
            with tempfile.NamedTemporaryFile(
                dir=output.parent, prefix=f".{output.name}.", suffix=".part", delete=False
            ) as handle:
                partial = Path(handle.name)
                exporter.write(handle)
            # A temporary file is private (0600); the report gets the mode of any other new
            # file of this user (the umask), as if it had been written in place.
            umask = os.umask(0)
            os.umask(umask)
            partial.chmod(0o666 & ~umask)
            os.replace(partial, output)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        finally:
            if partial is not None and partial.exists():
                partial.unlink()
