"""A digest of the code and templates this process runs, taken once at start-up.

Rendered pages kept in a shared cache (Redis, the database) outlive a deployment; their keys
carry this digest, so new code never serves a page the old code drew.
"""

import hashlib
from pathlib import Path

from django.conf import settings

_SOURCES = ("cchc", "scoring", "units", "templates", "locale")
_SUFFIXES = {".py", ".html", ".mo"}


def _digest() -> str:
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in _SOURCES:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in _SUFFIXES and path.is_file():
                # The content, not the file's date: servers deployed apart share their pages.
                digest.update(f"{path.relative_to(base)};".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


BUILD = _digest()
