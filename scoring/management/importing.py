"""What the import commands share: reading the file, then the page's flow without the page
(read, print the plan, apply unless it is a dry run), all in one transaction."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scoring import audit
from scoring.importers import Importer, ImportFailed
from scoring.importers.base import read_plan


def read_file(path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc


def run_import(
    command: BaseCommand, importer: Importer, content: bytes, *, dry_run: bool, name: str = ""
):
    """The plan, then (unless ``dry_run``) what was done; or a non-zero exit listing every
    problem ("sheet, row, column: message"), with nothing written. What is written is logged
    as coming by this command from the file ``name`` (with the hash of ``content``)."""
    try:
        with (
            audit.origin(audit.Path.COMMAND, audit.file_source(name, content)),
            transaction.atomic(),
        ):
            plan = read_plan(importer, content)
            command.stdout.write(plan.summary)
            for change in plan.changes:
                command.stdout.write(
                    f"  {change.subject} · {change.what}: {change.old or '—'} → {change.new or '—'}"
                )
            if dry_run:
                command.stdout.write(_("Chạy thử: chưa có gì được ghi."))
                return
            done = importer.apply(plan)
    except ImportFailed as exc:
        raise CommandError(_listed(exc.problems)) from exc
    except (ValidationError, PermissionDenied) as exc:
        raise CommandError(_listed(getattr(exc, "messages", None) or [str(exc)])) from exc
    command.stdout.write(command.style.SUCCESS(done))


def _listed(problems) -> str:
    """How many problems, then one per line (manage.py prints it to stderr)."""
    lines = "\n".join(f"  {problem}" for problem in problems)
    count = ngettext(
        "Chưa có gì được ghi; %(n)s lỗi:",
        "Chưa có gì được ghi; %(n)s lỗi:",
        len(problems),
    ) % {"n": len(problems)}
    return f"{count}\n{lines}"
