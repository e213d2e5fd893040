"""Which evidence files are accepted: by extension *and* by content, so that a file named .pdf
that is not a PDF is refused before anyone downloads it."""

from __future__ import annotations

import zipfile
from pathlib import PurePath
from typing import BinaryIO

from django.utils.translation import gettext as _

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .xls (Office 97–2003)

# extension -> (content type, how to recognise the content)
ACCEPTED = {
    ".pdf": ("application/pdf", "pdf"),
    ".doc": ("application/msword", "ole"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip:word/",
    ),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip:xl/"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".png": ("image/png", "png"),
}


class UploadRefused(ValueError):
    pass


def _content_matches(kind: str, stream: BinaryIO) -> bool:
    stream.seek(0)
    head = stream.read(1024)
    stream.seek(0)
    if kind == "pdf":
        return b"%PDF-" in head  # some producers put a few bytes before the header
    if kind == "ole":
        return head.startswith(OLE)
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind.startswith("zip:"):
        try:
            with zipfile.ZipFile(stream) as archive:
                return any(name.startswith(kind[4:]) for name in archive.namelist())
        except (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError, ValueError, OSError):
            # zipfile raises more than BadZipFile on damaged archives: all mean "not a real
            # Office file" here, never a server error.
            return False
        finally:
            stream.seek(0)
    raise ValueError(kind)


def check_evidence_file(name: str, size: int, stream: BinaryIO, max_bytes: int) -> str:
    """The content type of an acceptable evidence file, or ``UploadRefused`` saying why not."""
    extension = PurePath(name).suffix.lower()
    if extension not in ACCEPTED:
        raise UploadRefused(
            _("Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG, PNG; “%(name)s” không phải loại này.")
            % {"name": name}
        )
    if size == 0:
        raise UploadRefused(_("Tệp “%(name)s” rỗng.") % {"name": name})
    if size > max_bytes:
        raise UploadRefused(
            _("Tệp “%(name)s” lớn hơn giới hạn %(limit)s MB.")
            % {"name": name, "limit": max_bytes // (1024 * 1024)}
        )
    content_type, kind = ACCEPTED[extension]
    if not _content_matches(kind, stream):
        raise UploadRefused(
            _("Nội dung tệp “%(name)s” không phải là tệp %(ext)s thật; hãy kiểm tra lại tệp.")
            % {"name": name, "ext": extension.lstrip(".").upper()}
        )
    return content_type
