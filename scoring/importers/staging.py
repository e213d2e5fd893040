"""An uploaded workbook kept between its preview and its application.

The file waits in private storage under a random token the user's session knows, so the
"apply" button needs no second upload and nobody else can apply someone's file. Files older
than a day are removed whenever a new one arrives.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings

SESSION_KEY = "staged_imports"
NAMES_KEY = "staged_import_names"  # token → the file's name as uploaded
MAX_AGE_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another request swept it first
            pass


def stage(request, content: bytes, scope: str, name: str = "") -> str:
    """Keep ``content`` for this session under ``scope`` (which page, which year/unit), with
    the file's ``name`` as uploaded (the audit log names the file an import came from)."""
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(16)
    (folder / f"{token}.xlsx").write_bytes(content)
    # Tokens whose files were swept (or applied elsewhere) leave the session too.
    staged = {
        known: where
        for known, where in request.session.get(SESSION_KEY, {}).items()
        if (folder / f"{known}.xlsx").exists()
    }
    staged[token] = scope
    request.session[SESSION_KEY] = staged
    names = {known: n for known, n in request.session.get(NAMES_KEY, {}).items() if known in staged}
    names[token] = name
    request.session[NAMES_KEY] = names
    return token


def take(request, token: str, scope: str) -> bytes | None:
    """The staged file, if this session staged it for this scope and it is still there."""
    if request.session.get(SESSION_KEY, {}).get(token) != scope:
        return None
    path = _folder() / f"{token}.xlsx"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def name_of(request, token: str) -> str:
    """The name the staged file was uploaded under ("" if unknown)."""
    return request.session.get(NAMES_KEY, {}).get(token, "")


def discard(request, token: str) -> None:
    """Forget the token and remove its file (if this session staged it; if it is still there)."""
    staged = request.session.get(SESSION_KEY, {})
    if staged.pop(token, None) is not None:
        request.session[SESSION_KEY] = staged
        names = request.session.get(NAMES_KEY, {})
        names.pop(token, None)
        request.session[NAMES_KEY] = names
        (_folder() / f"{token}.xlsx").unlink(missing_ok=True)
