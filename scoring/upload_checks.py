"""What is *inside* an evidence file, beyond its first bytes (the deep checks behind
``uploads.check_evidence_file``): a PDF must parse, an image must decode, an Office file must be the
Office file its extension says, and no file may carry an HTML page or a script.

Each check raises ``Refused(reason)``; ``uploads`` turns the reason into the message the unit reads.
Every check works on the file's bytes, already read and bounded by the upload size limit.

Choices, for whoever tunes them:

* PDF: parsed by pypdf (not strict, so the small defects of real scanners' PDFs pass), but it must
  have a ``startxref``, a catalogue and at least one page; any exception or ``PdfReadWarning`` is a
  refusal. Encrypted PDFs are opened with the empty password only (owner-restricted PDFs pass);
  anything else is "has a password". Actions ``/JS``, ``/JavaScript`` and ``/Launch`` are refused
  wherever they appear (``#xx``-escaped names too, in the file and in its object streams).
  Attachments in the name tree are decoded and scanned like the rest.
* Images: the format Pillow finds must match the extension (MPO, the multi-picture JPEG of
  cameras, counts as JPEG); the picture is decoded in full (JPEG at 1/8 scale, which still reads
  every byte of it) and may not exceed ``IMAGE_MAX_PIXELS``. Nothing may follow a PNG's IEND. After
  a JPEG's EOI only what phones put there is allowed: further JPEG frames (MPO), a motion photo's
  MP4 boxes, Samsung's SEF trailer, padding.
* OOXML: a zip starting at byte 0 and ending at its end record, at most ``ZIP_MAX_MEMBERS``
  members, ``ZIP_MAX_UNCOMPRESSED`` bytes once unpacked and no member over ``1 MB`` unpacked that
  shrank more than ``ZIP_MAX_RATIO`` times; ``[Content_Types].xml`` declares the document's (or
  workbook's) main part and the part is there. Macros (a ``vbaProject.bin`` or a macro-enabled
  content type) are refused; embedded OLE objects are not.
* OLE (.doc/.xls): the compound-file header is sane (version, byte order, sector sizes, the
  directory's root entry where the header says); Windows Installer packages and VBA projects are
  refused.
* HTML/script markers, in any case: the long ones (``<script``, ``<iframe``, ``javascript:``,
  ``onload=``…, seven bytes and more) are looked for in every byte of every file — random
  compressed data holds one by chance about once in 10^7 files of 20 MB. The short ones
  (``<html``, ``<body``, ``<?php``…) only where the bytes are text: outside a PDF's binary
  streams, in the text parts of a zip, in an image's metadata. OLE files are also searched for
  the long ones in UTF-16, the encoding of their text.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from xml.etree import ElementTree

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc and .xls (Office 97–2003)

IMAGE_MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo passes; decoding stays < ~200 MB
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_UNCOMPRESSED = 256 * 1024 * 1024
ZIP_MAX_RATIO = 200  # real Office XML shrinks 5–50 times; a zip bomb thousands of times
PDF_MAX_DECODED = 64 * 1024 * 1024  # object streams and attachments decoded, all together

# Reasons ``uploads`` has a message for.
FAKE = "fake"
EXECUTABLE = "executable"
ACTIVE = "active"
TRAILING = "trailing"
BOMB = "bomb"
MACRO = "macro"
PDF_ACTIONS = "pdf-actions"
PASSWORD = "password"
IMAGE_TOO_LARGE = "image-too-large"


class Refused(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- markers -------------------------------------------------------------------------------------

# Looked for in the file's bytes lower-cased: plain substring searches are what keep a 20 MB scan
# fast (a case-insensitive regex of alternatives is ten times slower).
LONG_LITERALS = (b"<script", b"<iframe", b"<frameset", b"javascript:", b"vbscript:")
DOCTYPE = re.compile(rb"<!doctype\s+html")
HANDLER = re.compile(  # an event handler attribute; no look-behind in the pattern: it is slow
    rb"on(?:load|error|click|dblclick|focus|blur|mouseover|mouseenter|pageshow|begin|toggle"
    rb"|animation[a-z]+)\s*="
)
WORD = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")
SHORT = re.compile(
    rb"<(?:html|body|object|embed|form|frame|applet)[\s/>]|<meta\s+http-equiv|<\?php"
)


def _utf16(word: str) -> bytes:
    return b"".join(
        (b"[%s%s]\x00" % (re.escape(c.lower().encode()), re.escape(c.upper().encode())))
        if c.isalpha()
        else re.escape(c.encode()) + b"\x00"
        for c in word
    )


LONG_UTF16 = re.compile(b"|".join(_utf16(w) for w in ("<script", "<iframe", "javascript:")))
EXECUTABLE_HEADS = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
EXECUTABLE_HEADS += (b"\xca\xfe\xba\xbe", b"#!")


def refuse_executable(data: bytes) -> None:
    if data.startswith(EXECUTABLE_HEADS):
        raise Refused(EXECUTABLE)


def refuse_markup(data: bytes, *, text: bool) -> None:
    """``text``: the bytes are text (not compressed data), so the short markers count too."""
    low = data.lower()
    if any(marker in low for marker in LONG_LITERALS):
        raise Refused(ACTIVE)
    if DOCTYPE.search(low) or any(
        m.start() == 0 or low[m.start() - 1] not in WORD for m in HANDLER.finditer(low)
    ):
        raise Refused(ACTIVE)
    if text and SHORT.search(low):
        raise Refused(ACTIVE)


# --- PDF -----------------------------------------------------------------------------------------

_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_PRINTABLE = bytes(range(0x20, 0x7F)) + b"\t\n\r\x0c"


def _name(word: str) -> bytes:
    # A PDF name may spell any of its characters as #xx.
    return b"".join(b"(?:%s|#%s)" % (c.encode(), _hex(c)) for c in word)


def _hex(c: str) -> bytes:
    return b"".join(b"[%s%s]" % (h.lower().encode(), h.upper().encode()) for h in f"{ord(c):02x}")


_DELIMITER = rb"[\x00\t\n\x0c\r ()<>\[\]{}/%]"
_ACTIONS = b"|".join(_name(w) for w in ("JavaScript", "JS", "Launch"))
PDF_ACTION = re.compile(rb"/(?:" + _ACTIONS + rb")(?=" + _DELIMITER + rb"|$)")


def _pdf_text_view(data: bytes) -> bytes:
    """The PDF's bytes with its binary stream bodies cut out: what is left is the text a reader
    (or a browser) would see. A stream that is mostly printable stays in, whatever its /Filter
    claims."""
    parts, pos = [], 0
    while (found := _STREAM.search(data, pos)) is not None:
        start = found.end()
        end = data.find(b"endstream", start)
        end = len(data) if end == -1 else end
        body = data[start:end]
        parts.append(data[pos:start])
        if len(body.translate(None, _PRINTABLE)) <= len(body) // 10:
            parts.append(body)
        pos = end
    parts.append(data[pos:])
    return b"".join(parts)


def _refuse_pdf_content(blob: bytes, *, text: bool) -> None:
    if PDF_ACTION.search(blob):
        raise Refused(PDF_ACTIONS)
    refuse_markup(blob, text=text)


def check_pdf(data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadWarning

    # Some producers put a few bytes before the header: it may start anywhere in the first KB.
    if data.find(b"%PDF-", 0, 1024) == -1:
        raise Refused(FAKE)
    refuse_markup(data, text=False)
    _refuse_pdf_content(_pdf_text_view(data), text=True)
    if b"startxref" not in data[-4096:]:
        raise Refused(FAKE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PdfReadWarning)
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                try:
                    if not reader.decrypt(""):
                        raise Refused(PASSWORD)
                except (DependencyError, FileNotDecryptedError, NotImplementedError):
                    # AES needs the ``cryptography`` package; without it the file can't be read.
                    raise Refused(PASSWORD) from None
            if len(reader.pages) < 1:
                raise Refused(FAKE)
            decoded = 0
            for number in sorted({stream for stream, _ in reader.xref_objStm.values()}):
                blob = reader.get_object(number).get_data()
                decoded += len(blob)
                if decoded > PDF_MAX_DECODED:
                    raise Refused(BOMB)
                _refuse_pdf_content(blob, text=True)
            for contents in reader.attachments.values():
                for blob in contents:
                    decoded += len(blob)
                    if decoded > PDF_MAX_DECODED:
                        raise Refused(BOMB)
                    refuse_executable(blob)
                    refuse_markup(blob, text=True)
    except Refused:
        raise
    except Exception:
        raise Refused(FAKE) from None


# --- images --------------------------------------------------------------------------------------


def _png_end(data: bytes) -> int:
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos
    raise Refused(FAKE)


def _jpeg_end(data: bytes, pos: int) -> int:
    """Where the JPEG starting at ``pos`` ends: just after its EOI marker."""
    size = len(data)
    if data[pos : pos + 2] != b"\xff\xd8":
        raise Refused(FAKE)
    pos += 2
    while True:
        pos = data.find(b"\xff", pos)
        while 0 <= pos < size and data[pos] == 0xFF:
            pos += 1  # fill bytes
        if pos < 0 or pos >= size:
            raise Refused(FAKE)
        marker = data[pos]
        pos += 1
        if marker == 0xD9:
            return pos
        if marker == 0x01 or 0xD0 <= marker <= 0xD7 or marker == 0x00:
            continue
        if pos + 2 > size:
            raise Refused(FAKE)
        pos += int.from_bytes(data[pos : pos + 2], "big")
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    raise Refused(FAKE)
                after = data[pos + 1]
                if after == 0 or 0xD0 <= after <= 0xD7:
                    pos += 2
                elif after == 0xFF:
                    pos += 1
                else:
                    break


def _mp4_boxes_to_end(data: bytes, pos: int) -> bool:
    if data[pos + 4 : pos + 8] != b"ftyp":
        return False
    while pos < len(data):
        if pos + 8 > len(data):
            return False
        size = int.from_bytes(data[pos : pos + 4], "big")
        if size == 1:
            size = int.from_bytes(data[pos + 8 : pos + 16], "big")
        elif size == 0:
            size = len(data) - pos
        if size < 8:
            return False
        pos += size
    return pos == len(data)


def _samsung_trailer(data: bytes, pos: int) -> bool:
    # ... data blocks, "SEFH" directory, its length (4 bytes, little-endian), "SEFT".
    if not data.endswith(b"SEFT"):
        return False
    length = int.from_bytes(data[-8:-4], "little")
    start = len(data) - 8 - length
    return pos <= start and data[start : start + 4] == b"SEFH"


def _jpeg_trailer_allowed(data: bytes, pos: int) -> bool:
    frames = 1
    while True:
        if pos == len(data) or not data[pos:].strip(b"\x00\xff\r\n\t "):
            return True
        if data[pos : pos + 2] == b"\xff\xd8" and frames < 16:  # MPO: a further frame
            pos, frames = _jpeg_end(data, pos), frames + 1
            continue
        return _mp4_boxes_to_end(data, pos) or _samsung_trailer(data, pos)


def check_image(data: bytes, kind: str) -> None:
    """``kind``: "png" or "jpeg"."""
    from PIL import Image

    if kind == "png":
        if not data.startswith(b"\x89PNG\r\n\x1a\n"):
            raise Refused(FAKE)
        end = _png_end(data)
        if end != len(data):
            raise Refused(TRAILING if end < len(data) else FAKE)
        formats = ("PNG",)
    else:
        if not data.startswith(b"\xff\xd8\xff"):
            raise Refused(FAKE)
        if not _jpeg_trailer_allowed(data, _jpeg_end(data, 0)):
            raise Refused(TRAILING)
        formats = ("JPEG", "MPO")
    refuse_markup(data, text=False)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=formats) as image:
                width, height = image.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise Refused(IMAGE_TOO_LARGE)
                image.verify()
            with Image.open(io.BytesIO(data), formats=formats) as image:
                if kind == "jpeg":
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
                info = dict(image.info)
                text = getattr(image, "text", None) or {}
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused(IMAGE_TOO_LARGE) from None
    except Exception:
        raise Refused(FAKE) from None
    for value in [*info.values(), *text.values()]:
        if isinstance(value, str):
            value = value.encode("utf-8", "replace")
        if isinstance(value, bytes):
            refuse_markup(value, text=True)


# --- Office --------------------------------------------------------------------------------------

MAIN_PART = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
MACRO_TYPES = ("macroenabled", "vbaproject")
TEXT_PARTS = (
    ".xml", ".rels", ".vml", ".htm", ".html", ".xhtml", ".mht", ".mhtml", ".svg", ".txt", ".js",
    ".css", ".json",
)  # fmt: skip


def _zip_layout(data: bytes) -> None:
    """Nothing before the first entry, nothing after the end record (its comment included)."""
    if not data.startswith(b"PK\x03\x04"):
        raise Refused(FAKE)
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_536 - 22))
    if end == -1 or end + 22 > len(data):
        raise Refused(FAKE)
    if end + 22 + int.from_bytes(data[end + 20 : end + 22], "little") != len(data):
        raise Refused(TRAILING)


def _content_types(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> dict[str, str]:
    """Part name (lower case, no leading slash) -> content type, from the overrides."""
    info = names.get("[content_types].xml")
    if info is None or info.file_size > 1024 * 1024:
        raise Refused(FAKE)
    xml = archive.read(info)
    if b"<!DOCTYPE" in xml.upper() or b"<!ENTITY" in xml.upper():
        raise Refused(FAKE)
    root = ElementTree.fromstring(xml)
    types = {}
    for element in root:
        if element.tag.rsplit("}", 1)[-1] == "Override":
            part = element.get("PartName", "").lstrip("/").lower()
            types[part] = element.get("ContentType", "").strip().lower()
    defaults = [e.get("ContentType", "").lower() for e in root if e.tag.endswith("Default")]
    types[""] = " ".join(defaults)  # macro content types may hide in a Default too
    return types


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    tail = b""
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            refuse_markup(tail + chunk, text=True)
            tail = chunk[-256:]


def check_ooxml(data: bytes, kind: str) -> None:
    """``kind``: "docx" or "xlsx"."""
    if data.startswith(OLE):  # a password-protected Office file is an OLE container
        raise Refused(PASSWORD)
    _zip_layout(data)
    refuse_markup(data, text=False)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                raise Refused(BOMB)
            total = 0
            for info in members:
                total += info.file_size
                big = info.file_size > 1024 * 1024
                if big and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
                    raise Refused(BOMB)
            if total > ZIP_MAX_UNCOMPRESSED:
                raise Refused(BOMB)
            names = {info.filename.lower(): info for info in members}
            types = _content_types(archive, names)
            if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in names) or any(
                m in t for t in types.values() for m in MACRO_TYPES
            ):
                raise Refused(MACRO)
            main = [part for part, t in types.items() if t == MAIN_PART[kind]]
            if len(main) != 1 or main[0] not in names:
                raise Refused(FAKE)
            for info in members:
                if info.filename.lower().endswith(TEXT_PARTS) or "." not in info.filename:
                    _scan_member(archive, info)
    except Refused:
        raise
    except Exception:
        raise Refused(FAKE) from None


# CLSIDs of a root storage that is a Windows Installer package (.msi, .msp, .mst), little-endian.
INSTALLER_CLSIDS = tuple(
    bytes.fromhex(h) + bytes.fromhex("00000000c000000000000046")
    for h in ("84100c00", "86100c00", "82100c00")
)
VBA_PROJECT = "_VBA_PROJECT".encode("utf-16-le")


def check_ole(data: bytes) -> None:
    """The compound-file header, and the root entry of its directory where the header says."""
    header = data[:512]
    if len(header) < 512 or not header.startswith(OLE):
        raise Refused(FAKE)
    major = int.from_bytes(header[26:28], "little")
    shift = int.from_bytes(header[30:32], "little")
    fat_sectors = int.from_bytes(header[44:48], "little")
    directory = int.from_bytes(header[48:52], "little")
    sane = (
        header[28:30] == b"\xfe\xff"
        and (major, shift) in ((3, 9), (4, 12))
        and int.from_bytes(header[32:34], "little") == 6
        and int.from_bytes(header[56:60], "little") == 4096
        and fat_sectors >= 1
    )
    sector = 1 << shift if sane else 512
    root = (directory + 1) * sector
    if not sane or root + 128 > len(data):
        raise Refused(FAKE)
    entry = data[root : root + 128]
    if entry[:20] != "Root Entry".encode("utf-16-le") or entry[66] != 5:
        raise Refused(FAKE)
    if entry[80:96] in INSTALLER_CLSIDS:
        raise Refused(EXECUTABLE)
    if VBA_PROJECT in data:
        raise Refused(MACRO)
    refuse_markup(data, text=False)
    if LONG_UTF16.search(data):
        raise Refused(ACTIVE)
