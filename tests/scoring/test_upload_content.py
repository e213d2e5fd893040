"""Evidence files are checked beyond their first bytes (scoring/upload_checks.py): a PDF must parse,
an image must decode, an Office file must be one, and nothing may carry an HTML page or a script.
Every file here is built in code, good ones by the libraries that write them for real."""

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, PngImagePlugin
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, StreamObject, TextStringObject

from scoring import upload_checks
from scoring.models import Evidence
from scoring.upload_checks import OLE
from scoring.uploads import UploadRefused, check_evidence_file

MAX = 20 * 1024 * 1024
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
PAGE = b"<html><body><h1>Dang nhap</h1><form action=x><input name=p></form></body></html>"


# --- builders ------------------------------------------------------------------------------------


def pdf_bytes(*, pages=1, build=None, password=None):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if build:
        build(writer)
    if password:
        writer.encrypt(password, "owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_with_object_stream(catalog_extra=b""):
    """A PDF 1.5 whose objects live in a compressed object stream, found through an xref stream:
    what Word's "Save as PDF" writes."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    offsets, body = [], b""
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    index = b" ".join(b"%d %d" % (n + 1, off) for n, off in enumerate(offsets)) + b"\n"
    packed = zlib.compress(index + body)
    out = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    stm_offset = len(out)
    out += (
        b"4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (
            len(index),
            len(packed),
        )
    )
    out += packed + b"\nendstream\nendobj\n"
    xref_offset = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 2, 4, i) for i in range(3)]
    rows += [struct.pack(">BIH", 1, stm_offset, 0), struct.pack(">BIH", 1, xref_offset, 0)]
    table = b"".join(rows)
    out += b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(
        table
    )
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset
    return out


def image_bytes(fmt, size=(64, 48), **save):
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, fmt, **save)
    return buffer.getvalue()


def png_with_text(key, value):
    info = PngImagePlugin.PngInfo()
    info.add_text(key, value, zip=True)
    return image_bytes("PNG", pnginfo=info)


def xlsx_bytes():
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Báo cáo kết quả CCHC năm 2024"
    workbook.active["B2"] = 95.5
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Kế hoạch CCHC &lt;html&gt; năm 2024</w:t></w:r></w:p></w:body>"
    "</w:document>"
)


def office_zip(
    main_part, main_type, *, members=(), overrides=(), compression=zipfile.ZIP_DEFLATED, dtd=""
):
    parts = [(main_part, main_type), *overrides]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + dtd
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="/{p}" ContentType="{t}"/>' for p, t in parts)
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="' + main_part + '" Type="http://schemas.openxmlformats.org'
        '/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr(main_part, DOCUMENT_XML)
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes(**kwargs):
    return office_zip("word/document.xml", DOCX_MAIN, **kwargs)


def ole_bytes(*names, clsid=b"\x00" * 16):
    """A compound file (.doc/.xls): header, one FAT sector, one directory sector."""
    header = bytearray(512)
    header[:8] = OLE
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)  # DIFAT[0]: the FAT is sector 0
    header[80:512] = b"\xff" * 432
    fat = struct.pack("<II", 0xFFFFFFFD, 0xFFFFFFFE) + b"\xff" * 504

    def entry(name, kind, entry_clsid=b"\x00" * 16):
        raw = bytearray(128)
        encoded = (name + "\x00").encode("utf-16-le")
        raw[: len(encoded)] = encoded
        struct.pack_into("<HB", raw, 64, len(encoded), kind)
        raw[68:80] = b"\xff" * 12
        raw[80:96] = entry_clsid
        return bytes(raw)

    entries = [entry("Root Entry", 5, clsid), *(entry(n, 2) for n in names)]
    directory = b"".join(entries).ljust(512, b"\x00")
    return bytes(header) + fat + directory


def hostile(name, ext):
    return {
        "fake": f"Nội dung tệp “{name}” không phải là tệp {ext} thật; hãy kiểm tra lại tệp.",
        "exe": f"Tệp “{name}” là một chương trình máy tính, không phải tệp {ext}; hệ thống không "
        "nhận tệp chương trình.",
        "active": f"Tệp “{name}” có chứa mã trang web (HTML) hoặc mã lệnh (script); hệ thống "
        "không nhận tệp có nội dung này.",
        "trailing": f"Tệp “{name}” có dữ liệu lạ nối sau nội dung {ext}; hãy lưu lại tệp từ phần "
        "mềm đã tạo ra nó rồi tải lên.",
        "bomb": f"Tệp “{name}” khi giải nén quá lớn hoặc có quá nhiều thành phần; hãy kiểm tra "
        "lại tệp.",
        "macro": f"Tệp “{name}” có chứa macro (mã VBA); hãy lưu lại thành tệp không có macro rồi "
        "tải lên.",
        "pdf-js": f"Tệp “{name}” có chứa mã lệnh tự chạy (JavaScript hoặc lệnh mở chương trình); "
        "hãy in lại ra tệp PDF thông thường rồi tải lên.",
        "password": f"Tệp “{name}” được đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên.",
    }


def check(name, content):
    stream = io.BytesIO(content)
    return check_evidence_file(name, len(content), stream, MAX), stream


def refusal(name, content):
    with pytest.raises(UploadRefused) as caught:
        check(name, content)
    return str(caught.value)


def ext_of(name):
    return name.rsplit(".", 1)[-1].upper()


PDF = pdf_bytes()
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG", quality=85)
XLSX = xlsx_bytes()
DOCX = docx_bytes()
DOC = ole_bytes("WordDocument", "1Table")


# --- good files pass -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        pytest.param("bao-cao.pdf", PDF, "application/pdf", id="pdf by pypdf"),
        pytest.param("bao-cao.pdf", pdf_bytes(pages=3), "application/pdf", id="3 pages"),
        pytest.param(
            "bao-cao.pdf",
            pdf_bytes(build=lambda w: w.add_metadata({"/Title": "Kế hoạch <2024>"})),
            "application/pdf",
            id="title with angle brackets",
        ),
        pytest.param(
            "bao-cao.pdf",
            pdf_bytes(build=lambda w: w.add_attachment("so-lieu.csv", b"xa,diem\nA,9\n")),
            "application/pdf",
            id="harmless attachment",
        ),
        pytest.param("bao-cao.pdf", pdf_with_object_stream(), "application/pdf", id="objstm"),
        pytest.param(
            "bao-cao.pdf", pdf_bytes(password=""), "application/pdf", id="owner password only"
        ),
        pytest.param("so-do.png", PNG, "image/png", id="png"),
        pytest.param("so-do.png", png_with_text("Comment", "Sơ đồ"), "image/png", id="png text"),
        pytest.param("anh.jpg", JPEG, "image/jpeg", id="jpeg"),
        pytest.param("anh.jpeg", image_bytes("JPEG", progressive=True), "image/jpeg", id="prog"),
        pytest.param("anh.jpg", JPEG + b"\x00" * 16, "image/jpeg", id="jpeg zero padding"),
        pytest.param(
            "anh.jpg",
            JPEG + b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 12 + b"\x00\x00\x00\x08mdat",
            "image/jpeg",
            id="motion photo mp4 after the jpeg",
        ),
        pytest.param(
            "anh.jpg",
            JPEG + b"SEFH" + b"\x00" * 12 + struct.pack("<I", 16) + b"SEFT",
            "image/jpeg",
            id="samsung trailer",
        ),
        pytest.param("bang-diem.xlsx", XLSX, XLSX_TYPE, id="xlsx by openpyxl"),
        pytest.param("ke-hoach.docx", DOCX, DOCX_TYPE, id="docx"),
        pytest.param(
            "ke-hoach.docx",
            docx_bytes(
                members=[("word/media/icon.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')]
            ),
            DOCX_TYPE,
            id="docx with an svg picture",
        ),
        pytest.param(
            "ke-hoach.docx",
            docx_bytes(members=[("word/embeddings/oleObject1.bin", DOC)]),
            DOCX_TYPE,
            id="docx with an embedded object",
        ),
        pytest.param("ke-hoach.docx", docx_bytes(compression=zipfile.ZIP_STORED), DOCX_TYPE),
        pytest.param("cong-van.doc", DOC, "application/msword", id="doc"),
        pytest.param("so-lieu.xls", ole_bytes("Workbook"), "application/vnd.ms-excel", id="xls"),
    ],
)
def test_real_files_pass(name, content, content_type):
    result, stream = check(name, content)
    assert result == content_type
    assert stream.tell() == 0


# --- renamed executables -------------------------------------------------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50 + b"PE\x00\x00" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


@pytest.mark.parametrize("name", ["bao-cao.pdf", "anh.jpg", "so-do.png", "ke-hoach.docx", "a.xls"])
@pytest.mark.parametrize("content", [EXE, ELF, EXE + PDF, b"#!/bin/sh\nrm -rf /\n"])
def test_a_renamed_executable_is_refused_as_a_program(name, content):
    assert refusal(name, content) == hostile(name, ext_of(name))["exe"]


def test_a_self_extracting_zip_renamed_docx_is_refused_as_a_program():
    assert refusal("ke-hoach.docx", EXE + DOCX) == hostile("ke-hoach.docx", "DOCX")["exe"]


def test_a_windows_installer_renamed_doc_is_refused_as_a_program():
    msi = ole_bytes("!_StringData", clsid=bytes.fromhex("84100c0000000000c000000000000046"))
    assert refusal("cong-van.doc", msi) == hostile("cong-van.doc", "DOC")["exe"]


# --- PDF -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.4\nhello\nstartxref\n0\n%%EOF\n", id="header and trailer, no pdf"),
        pytest.param(b"%PDF-1.4\n" + b"x" * 100, id="no startxref"),
        pytest.param(
            b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n",
            id="no xref, no pages",
        ),
        pytest.param(PDF[: len(PDF) // 2] + b"startxref\n9\n%%EOF", id="truncated"),
        pytest.param(
            PDF.replace(b"/Count 1", b"/Count 0").replace(b"[ 4 0 R ]", b"[ ]"), id="no page"
        ),
    ],
)
def test_a_pdf_that_does_not_parse_or_has_no_page_is_refused(content):
    assert refusal("bao-cao.pdf", content) == hostile("bao-cao.pdf", "PDF")["fake"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"%PDF-1.7\n" + HTML, id="html with a pdf header"),
        pytest.param(b"%PDF-1.7\n" + PAGE + b"\nstartxref\n0\n%%EOF", id="page with pdf tail"),
        pytest.param(PDF + HTML, id="html after the pdf"),
        pytest.param(PDF.replace(b"%\xe2\xe3\xcf\xd3\n", b"%" + PAGE + b"\n"), id="in a comment"),
        pytest.param(
            pdf_bytes(build=lambda w: w.add_attachment("trang.html", HTML)), id="attached html"
        ),
        pytest.param(
            pdf_bytes(build=lambda w: w.add_attachment("trang.html", PAGE)), id="attached page"
        ),
        pytest.param(PDF + b"\n% javascript:alert(1)\n", id="javascript: url"),
        pytest.param(
            # An uncompressed stream that claims a filter: its text is read all the same.
            PDF.replace(
                b"%\xe2\xe3\xcf\xd3\n",
                b"%\xe2\xe3\xcf\xd3\n9 0 obj\n<< /Filter /FlateDecode /Length 99 >>\nstream\n"
                + PAGE
                + b"\nendstream\nendobj\n",
            ),
            id="html in a stream claiming a filter",
        ),
    ],
)
def test_a_pdf_carrying_html_is_refused(content):
    assert refusal("bao-cao.pdf", content) == hostile("bao-cao.pdf", "PDF")["active"]


def launch(writer):
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/Launch"),
            NameObject("/F"): TextStringObject("cmd.exe"),
        }
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(pdf_bytes(build=lambda w: w.add_open_action(JavaScript("app.alert(1)")))),
        pytest.param(pdf_bytes(build=launch), id="launch"),
        pytest.param(
            PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript >>"),
            id="name spelt with #xx",
        ),
        pytest.param(
            pdf_with_object_stream(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"),
            id="javascript inside a compressed object stream",
        ),
    ],
)
def test_a_pdf_with_javascript_or_launch_actions_is_refused(content):
    assert refusal("bao-cao.pdf", content) == hostile("bao-cao.pdf", "PDF")["pdf-js"]


def near_names(writer):
    for name in ("/JSX", "/Launcher", "/JavaScripts", "/js"):
        writer._root_object[NameObject(name)] = NameObject("/Launcher")


def test_names_that_only_begin_like_an_action_are_not_actions():
    content = pdf_bytes(build=near_names)
    result, _ = check("bao-cao.pdf", content)
    assert result == "application/pdf"


def test_a_pdf_that_needs_a_password_is_refused():
    assert refusal("mat.pdf", pdf_bytes(password="123")) == hostile("mat.pdf", "PDF")["password"]


def test_binary_streams_are_not_read_as_text():
    # Random-looking bytes that happen to hold a short marker are compressed data, not a page.
    noise = bytes(range(128, 256)) * 20 + b"<html " + bytes(range(128, 256)) * 20

    def add_stream(writer):
        stream = StreamObject()
        stream.set_data(noise)
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        writer._root_object[NameObject("/Noise")] = writer._add_object(stream)

    content = pdf_bytes(build=add_stream)
    assert b"<html " in content
    result, _ = check("bao-cao.pdf", content)
    assert result == "application/pdf"


# --- images --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("so-do.png", PNG + HTML, id="png followed by html"),
        pytest.param("so-do.png", PNG + PDF, id="png followed by a pdf"),
        pytest.param("so-do.png", PNG + b"\x00", id="png followed by one byte"),
        pytest.param("anh.jpg", JPEG + HTML, id="jpeg followed by html"),
        pytest.param("anh.jpg", JPEG + b"PK\x03\x04" + DOCX, id="jpeg followed by a zip"),
    ],
)
def test_an_image_followed_by_anything_is_refused(name, content):
    assert refusal(name, content) == hostile(name, ext_of(name))["trailing"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("so-do.png", png_with_text("Comment", HTML.decode()), id="png text chunk"),
        pytest.param("so-do.png", png_with_text("Comment", "<?php system($_GET[1]); ?>")),
        pytest.param("anh.jpg", image_bytes("JPEG", comment=PAGE), id="jpeg comment"),
        pytest.param("anh.jpg", image_bytes("JPEG", comment=HTML), id="jpeg comment, script"),
    ],
)
def test_an_image_carrying_html_in_its_metadata_is_refused(name, content):
    assert refusal(name, content) == hostile(name, ext_of(name))["active"]


@pytest.mark.parametrize(
    ("name", "content", "ext"),
    [
        pytest.param("anh.jpg", PNG, "JPG", id="png named jpg"),
        pytest.param("so-do.png", JPEG, "PNG", id="jpeg named png"),
        pytest.param("so-do.png", PNG[:-30], "PNG", id="truncated png"),
        pytest.param("anh.jpg", JPEG[: len(JPEG) // 2], "JPG", id="truncated jpeg"),
        pytest.param("so-do.png", PNG[:40] + b"\x00" * 20 + PNG[60:], "PNG", id="corrupt png"),
        pytest.param("anh.jpg", b"\xff\xd8\xff\xe0" + HTML, "JPG", id="html after a jpeg head"),
        pytest.param("so-do.png", b"\x89PNG\r\n\x1a\n" + HTML, "PNG", id="html after png head"),
    ],
)
def test_an_image_that_does_not_decode_as_its_extension_says_is_refused(name, content, ext):
    assert refusal(name, content) == hostile(name, ext)["fake"]


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(upload_checks, "IMAGE_MAX_PIXELS", 64 * 48 - 1)
    assert refusal("anh.png", PNG) == (
        "Ảnh “anh.png” quá lớn (hơn 0 triệu điểm ảnh); hãy thu nhỏ ảnh rồi tải lên."
    )


def test_a_decompression_bomb_png_is_refused():
    # 10,000 × 5,001 of one colour: a few KB on disk, 50 million pixels once decoded.
    buffer = io.BytesIO()
    Image.new("1", (10_000, 5_001)).save(buffer, "PNG")
    message = refusal("anh.png", buffer.getvalue())
    assert message == "Ảnh “anh.png” quá lớn (hơn 50 triệu điểm ảnh); hãy thu nhỏ ảnh rồi tải lên."


# --- Office --------------------------------------------------------------------------------------


def test_a_zip_bomb_disguised_as_docx_is_refused():
    bomb = docx_bytes(members=[("word/media/image1.png", b"\x00" * (8 * 1024 * 1024))])
    assert len(bomb) < 100_000
    assert refusal("ke-hoach.docx", bomb) == hostile("ke-hoach.docx", "DOCX")["bomb"]


def test_a_zip_bomb_disguised_as_xlsx_is_refused(monkeypatch):
    # Many parts each small enough, together too big once unpacked.
    monkeypatch.setattr(upload_checks, "ZIP_MAX_UNCOMPRESSED", 2 * 1024 * 1024)
    parts = [(f"xl/media/p{i}.bin", b"\x00" * (512 * 1024)) for i in range(5)]
    bomb = office_zip("xl/workbook.xml", upload_checks.MAIN_PART["xlsx"], members=parts)
    assert refusal("bang-diem.xlsx", bomb) == hostile("bang-diem.xlsx", "XLSX")["bomb"]


def test_a_zip_of_too_many_members_is_refused(monkeypatch):
    monkeypatch.setattr(upload_checks, "ZIP_MAX_MEMBERS", 10)
    content = docx_bytes(members=[(f"customXml/item{i}.xml", "<a/>") for i in range(10)])
    assert refusal("ke-hoach.docx", content) == hostile("ke-hoach.docx", "DOCX")["bomb"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param(
            "ke-hoach.docx",
            docx_bytes(members=[("word/vbaProject.bin", b"\x00" * 100)]),
            id="docx with vbaProject.bin",
        ),
        pytest.param(
            "ke-hoach.docx",
            office_zip(
                "word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"
            ),
            id="docm renamed docx",
        ),
        pytest.param(
            "bang-diem.xlsx",
            office_zip(
                "xl/workbook.xml",
                "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                members=[("xl/vbaProject.bin", b"\x00" * 100)],
            ),
            id="xlsm renamed xlsx",
        ),
        pytest.param("cong-van.doc", ole_bytes("Macros", "_VBA_PROJECT"), id="doc with macros"),
    ],
)
def test_office_files_with_macros_are_refused(name, content):
    assert refusal(name, content) == hostile(name, ext_of(name))["macro"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("ke-hoach.docx", docx_bytes(members=[("word/afchunk.htm", HTML)])),
        pytest.param("ke-hoach.docx", docx_bytes(members=[("word/afchunk.htm", PAGE)])),
        pytest.param(
            "ke-hoach.docx",
            docx_bytes(
                members=[("word/media/a.svg", b'<svg xmlns="x" onload="alert(1)"><rect/></svg>')]
            ),
            id="svg with onload",
        ),
        pytest.param(
            "ke-hoach.docx",
            docx_bytes(
                members=[
                    (
                        "word/_rels/document.xml.rels",
                        '<Relationships><Relationship Id="r" Target="javascript:alert(1)" '
                        'TargetMode="External"/></Relationships>',
                    )
                ]
            ),
            id="javascript: link",
        ),
        pytest.param(
            "ke-hoach.docx",
            docx_bytes(members=[("word/x.xml", HTML)], compression=zipfile.ZIP_STORED),
            id="stored",
        ),
        pytest.param(
            "bang-diem.xlsx",
            office_zip(
                "xl/workbook.xml", upload_checks.MAIN_PART["xlsx"], members=[("xl/a.xml", PAGE)]
            ),
            id="xlsx",
        ),
        pytest.param("cong-van.doc", DOC + HTML, id="doc with html"),
        pytest.param(
            "cong-van.doc", DOC + "<SCRIPT>alert(1)</SCRIPT>".encode("utf-16-le"), id="utf-16"
        ),
    ],
)
def test_office_files_carrying_html_are_refused(name, content):
    assert refusal(name, content) == hostile(name, ext_of(name))["active"]


def test_a_zip_with_html_appended_is_refused():
    assert refusal("ke-hoach.docx", DOCX + PAGE) == hostile("ke-hoach.docx", "DOCX")["trailing"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(PAGE + DOCX, id="html before the zip"),
        pytest.param(XLSX, id="xlsx renamed docx"),
        pytest.param(office_zip("word/document.xml", "application/xml"), id="no main type"),
        pytest.param(
            office_zip(
                "word/document.xml", "application/xml", overrides=[("word/other.xml", DOCX_MAIN)]
            ),
            id="main part missing",
        ),
        pytest.param(
            office_zip(
                "word/document.xml",
                DOCX_MAIN,
                overrides=[("word/document2.xml", DOCX_MAIN)],
                members=[("word/document2.xml", "<a/>")],
            ),
            id="two main parts",
        ),
        pytest.param(
            docx_bytes(dtd="<!DOCTYPE x [<!ENTITY a 'b'>]>"),
            id="content types with a dtd",
        ),
    ],
)
def test_a_docx_that_is_not_a_word_document_is_refused(content):
    assert refusal("ke-hoach.docx", content) == hostile("ke-hoach.docx", "DOCX")["fake"]


def test_a_password_protected_docx_is_said_to_have_a_password():
    # Office saves a protected .docx as an OLE container holding the encrypted package.
    content = ole_bytes("EncryptedPackage", "EncryptionInfo")
    assert refusal("mat.docx", content) == hostile("mat.docx", "DOCX")["password"]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(OLE + b"\x00" * 504 + b"Microsoft Office", id="signature only"),
        pytest.param(DOC[:512], id="header only"),
        pytest.param(DOC.replace("Root Entry".encode("utf-16-le"), b"x" * 20), id="no root"),
        pytest.param(OLE + HTML * 10, id="html after an ole signature"),
    ],
)
def test_an_ole_file_of_a_bad_structure_is_refused(content):
    assert refusal("cong-van.doc", content) == hostile("cong-van.doc", "DOC")["fake"]


def test_the_size_read_is_the_file_not_the_size_claimed():
    with pytest.raises(UploadRefused) as caught:
        check_evidence_file("bao-cao.pdf", 10, io.BytesIO(PDF), len(PDF) - 1)
    assert str(caught.value) == "Tệp “bao-cao.pdf” lớn hơn giới hạn 0 MB."


# --- served as a download, never shown ------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_is_served_as_an_attachment_with_nosniff(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    url = reverse("entry_field", args=[year_2024.pk, "vu-quang", "2"])
    data = {}
    for code in ["2.1.1", "2.2.1", "2.2.2", "2.2.3", "2.3.1"]:
        data[f"{code}-version"] = "0"
        data[f"{code}-explanation"] = ""
    data["ev-2.2.1-file"] = SimpleUploadedFile("so-do.png", PNG, "image/png")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    evidence = Evidence.objects.get(original_name="so-do.png")
    assert evidence.content_type == "image/png"
    response = client.get(
        reverse("evidence_download", args=[year_2024.pk, "vu-quang", evidence.pk])
    )
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert "so-do.png" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PNG
