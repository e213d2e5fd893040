"""Which evidence files are accepted: by extension *and* by content, so that a file named .pdf
that is not a PDF is refused before anyone downloads it. What "by content" means — a PDF that
parses, an image that decodes, an Office file that is one, no HTML or script anywhere — is in
``upload_checks``. Accepted files are still only ever served as downloads (attachment, nosniff)."""

from __future__ import annotations

from pathlib import PurePath
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import upload_checks as checks
from .upload_checks import OLE  # noqa: F401 - part of this module's interface

# extension -> (content type, how to recognise the content)
ACCEPTED = {
    ".pdf": ("application/pdf", "pdf"),
    ".doc": ("application/msword", "ole"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".png": ("image/png", "png"),
}


class UploadRefused(ValueError):
    pass


def _inspect(kind: str, data: bytes) -> None:
    """Raise ``checks.Refused`` unless ``data`` really is a file of ``kind``."""
    checks.refuse_executable(data)
    if kind == "pdf":
        checks.check_pdf(data)
    elif kind == "ole":
        checks.check_ole(data)
    elif kind in ("docx", "xlsx"):
        checks.check_ooxml(data, kind)
    elif kind in ("jpeg", "png"):
        checks.check_image(data, kind)
    else:
        raise ValueError(kind)


# Why a file was refused, as the uploader reads it; the unknown reason falls back to the last.
REFUSALS = {
    checks.EXECUTABLE: gettext_lazy(
        "Tệp “%(name)s” là một chương trình máy tính, không phải tệp %(ext)s; hệ thống không "
        "nhận tệp chương trình."
    ),
    checks.ACTIVE: gettext_lazy(
        "Tệp “%(name)s” có chứa mã trang web (HTML) hoặc mã lệnh (script); hệ thống không nhận "
        "tệp có nội dung này."
    ),
    checks.TRAILING: gettext_lazy(
        "Tệp “%(name)s” có dữ liệu lạ nối sau nội dung %(ext)s; hãy lưu lại tệp từ phần mềm "
        "đã tạo ra nó rồi tải lên."
    ),
    checks.BOMB: gettext_lazy(
        "Tệp “%(name)s” khi giải nén quá lớn hoặc có quá nhiều thành phần; hãy kiểm tra lại tệp."
    ),
    checks.MACRO: gettext_lazy(
        "Tệp “%(name)s” có chứa macro (mã VBA); hãy lưu lại thành tệp không có macro rồi tải lên."
    ),
    checks.PDF_ACTIONS: gettext_lazy(
        "Tệp “%(name)s” có chứa mã lệnh tự chạy (JavaScript hoặc lệnh mở chương trình); hãy "
        "in lại ra tệp PDF thông thường rồi tải lên."
    ),
    checks.PASSWORD: gettext_lazy("Tệp “%(name)s” được đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên."),
    checks.IMAGE_TOO_LARGE: gettext_lazy(
        "Ảnh “%(name)s” quá lớn (hơn %(limit)s triệu điểm ảnh); hãy thu nhỏ ảnh rồi tải lên."
    ),
}
NOT_WHAT_IT_SAYS = gettext_lazy(
    "Nội dung tệp “%(name)s” không phải là tệp %(ext)s thật; hãy kiểm tra lại tệp."
)


def _message(reason: str, name: str, extension: str) -> str:
    values = {
        "name": name,
        "ext": extension.lstrip(".").upper(),
        "limit": checks.IMAGE_MAX_PIXELS // 1_000_000,
    }
    return str(REFUSALS.get(reason, NOT_WHAT_IT_SAYS)) % values


def check_evidence_file(name: str, size: int, stream: BinaryIO, max_bytes: int) -> str:
    """The content type of an acceptable evidence file, or ``UploadRefused`` saying why not.
    The stream is left at its start for the caller to save it."""
    extension = PurePath(name).suffix.lower()
    if extension not in ACCEPTED:
        raise UploadRefused(
            _("Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG, PNG; “%(name)s” không phải loại này.")
            % {"name": name}
        )
    if size == 0:
        raise UploadRefused(_("Tệp “%(name)s” rỗng.") % {"name": name})
    too_big = UploadRefused(
        _("Tệp “%(name)s” lớn hơn giới hạn %(limit)s MB.")
        % {"name": name, "limit": max_bytes // (1024 * 1024)}
    )
    if size > max_bytes:
        raise too_big
    content_type, kind = ACCEPTED[extension]
    try:
        stream.seek(0)
        data = stream.read(max_bytes + 1)  # the size the client claimed is not trusted
    finally:
        stream.seek(0)
    if len(data) > max_bytes:
        raise too_big
    if not data:
        raise UploadRefused(_("Tệp “%(name)s” rỗng.") % {"name": name})
    try:
        _inspect(kind, data)
    except checks.Refused as refused:
        raise UploadRefused(_message(refused.reason, name, extension)) from None
    return content_type
