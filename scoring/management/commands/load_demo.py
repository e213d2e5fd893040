from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from scoring.demo import data
from scoring.demo.load import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo: Hà Tĩnh's 13 district-level units, a sample framework, the years 2022 "
        "(published), 2023 (in appraisal) and 2024 (open for self-assessment), and demo accounts. "
        "Running it again changes nothing. Refuses to run with DEBUG off."
    )

    def handle(self, *args, **options):
        try:
            loaded = load_demo()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        if loaded:
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already present; nothing changed.")
        self.stdout.write(f"\nDemo accounts (password: {data.PASSWORD}):")
        for username, full_name, _role, _unit in data.ACCOUNTS:
            self.stdout.write(f"  {username:<17} {full_name}")
