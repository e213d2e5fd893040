"""An uploaded workbook kept between its preview and its application.

The file waits in private storage (``private_storage()``: a folder, or an S3 bucket shared by
every app server) under a random token the user's session knows, so the "apply" button needs
no second upload and nobody else can apply someone's file. Files older than a day are removed
whenever a new one arrives. A large import hands its file over to a background job
(``hand_over``): the session forgets it, the job reads it by token and removes it when done.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.files.base import ContentFile
from django.utils import timezone

from ..models.evidence import private_storage

SESSION_KEY = "staged_imports"
NAMES_KEY = "staged_import_names"  # token → the file's name as uploaded
SIZES_KEY = "staged_import_sizes"  # token → how many changes its preview listed
FOLDER = "imports"
MAX_AGE_SECONDS = 24 * 3600


def _path(token: str) -> str:
    return f"{FOLDER}/{token}.xlsx"


def _sweep(storage) -> None:
    cutoff = timezone.now() - dt.timedelta(seconds=MAX_AGE_SECONDS)
    try:
        _, files = storage.listdir(FOLDER)
    except FileNotFoundError:  # nothing staged yet
        return
    for name in files:
        if not name.endswith(".xlsx"):
            continue
        try:
            if storage.get_modified_time(f"{FOLDER}/{name}") < cutoff:
                storage.delete(f"{FOLDER}/{name}")
        except FileNotFoundError:  # another request swept it first
            pass


def stage(request, content: bytes, scope: str, name: str = "", size: int = 0) -> str:
    """Keep ``content`` for this session under ``scope`` (which page, which year/unit), with
    the file's ``name`` as uploaded (the audit log names the file an import came from) and the
    ``size`` of its preview (how many changes: large ones are applied by a background job)."""
    storage = private_storage()
    _sweep(storage)
    token = secrets.token_urlsafe(16)
    saved = storage.save(_path(token), ContentFile(content))
    if saved != _path(token):  # a storage that renames would break the token
        storage.delete(saved)
        raise RuntimeError(f"the staging storage renamed {_path(token)} to {saved}")
    # Tokens whose files were swept (or applied elsewhere) leave the session too.
    staged = {
        known: where
        for known, where in request.session.get(SESSION_KEY, {}).items()
        if storage.exists(_path(known))
    }
    staged[token] = scope
    request.session[SESSION_KEY] = staged
    for key, value in ((NAMES_KEY, name), (SIZES_KEY, size)):
        kept = {known: v for known, v in request.session.get(key, {}).items() if known in staged}
        kept[token] = value
        request.session[key] = kept
    return token


def take(request, token: str, scope: str) -> bytes | None:
    """The staged file, if this session staged it for this scope and it is still there."""
    if request.session.get(SESSION_KEY, {}).get(token) != scope:
        return None
    return read(token)


def read(token: str) -> bytes | None:
    """The staged file by its token alone, for the job it was handed over to."""
    storage = private_storage()
    try:
        with storage.open(_path(token), "rb") as file:
            return file.read()
    except FileNotFoundError:
        return None


def name_of(request, token: str) -> str:
    """The name the staged file was uploaded under ("" if unknown)."""
    return request.session.get(NAMES_KEY, {}).get(token, "")


def size_of(request, token: str) -> int:
    """How many changes the staged file's preview listed (0 if unknown)."""
    return request.session.get(SIZES_KEY, {}).get(token, 0)


def _forget(request, token: str) -> bool:
    staged = request.session.get(SESSION_KEY, {})
    if staged.pop(token, None) is None:
        return False
    request.session[SESSION_KEY] = staged
    for key in (NAMES_KEY, SIZES_KEY):
        kept = request.session.get(key, {})
        kept.pop(token, None)
        request.session[key] = kept
    return True


def discard(request, token: str) -> None:
    """Forget the token and remove its file (if this session staged it; if it is still there)."""
    if _forget(request, token):
        remove(token)


def hand_over(request, token: str) -> None:
    """Forget the token but keep its file: a background job applies it (and then ``remove``s
    it). The session can no longer apply it a second time."""
    _forget(request, token)


def remove(token: str) -> None:
    private_storage().delete(_path(token))  # a missing file is no error
