"""Evidence files are accepted by extension *and* content (scoring/uploads.py): a file named .pdf
that is not a PDF is refused before anyone downloads it."""

import io
import zipfile

import pytest

from scoring.uploads import ACCEPTED, UploadRefused, check_evidence_file

from .test_upload_content import docx_bytes, image_bytes, ole_bytes, pdf_bytes, xlsx_bytes

MB = 1024 * 1024
MAX = 20 * MB

PDF_TYPE = "application/pdf"
DOC_TYPE = "application/msword"
XLS_TYPE = "application/vnd.ms-excel"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

WRONG_TYPE = "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG, PNG; “{name}” không phải loại này."


def zip_bytes(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<root/>")
    return buffer.getvalue()


# Real files, as the programs that make them write them (built in test_upload_content).
PDF = pdf_bytes()
PDF_WITH_JUNK = b"\x00\x00\xef\xbb\xbf\r\n" + PDF
DOCX = docx_bytes()
XLSX = xlsx_bytes()
OLE_FILE = ole_bytes("WordDocument")
JPEG = image_bytes("JPEG")
PNG = image_bytes("PNG")
TEXT = "Báo cáo kết quả CCHC năm 2024\n".encode()


def check(name, content, *, size=None, max_bytes=MAX, position=None):
    """Check ``content`` as an uploaded stream; ``position`` simulates a stream already read."""
    stream = io.BytesIO(content)
    if position is not None:
        stream.seek(position)
    result = check_evidence_file(name, len(content) if size is None else size, stream, max_bytes)
    return result, stream


def refusal(name, content, *, size=None, max_bytes=MAX):
    with pytest.raises(UploadRefused) as caught:
        check(name, content, size=size, max_bytes=max_bytes)
    return str(caught.value)


# --- accepted ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        pytest.param("bao-cao.pdf", PDF, PDF_TYPE, id="pdf"),
        pytest.param("bao-cao.pdf", PDF_WITH_JUNK, PDF_TYPE, id="pdf with bytes before header"),
        pytest.param("SCAN.PDF", PDF, PDF_TYPE, id="upper-case extension"),
        pytest.param("Kế hoạch 2024.Pdf", PDF, PDF_TYPE, id="mixed case, Vietnamese name"),
        pytest.param("quyet.dinh.so.12.pdf", PDF, PDF_TYPE, id="dots in the name"),
        pytest.param("ke-hoach.docx", DOCX, DOCX_TYPE, id="docx"),
        pytest.param("KE-HOACH.DOCX", DOCX, DOCX_TYPE, id="upper-case docx"),
        pytest.param("bang-diem.xlsx", XLSX, XLSX_TYPE, id="xlsx"),
        pytest.param("cong-van.doc", OLE_FILE, DOC_TYPE, id="doc"),
        pytest.param("so-lieu.xls", OLE_FILE, XLS_TYPE, id="xls"),
        pytest.param("anh-chup.jpg", JPEG, "image/jpeg", id="jpg"),
        pytest.param("anh-chup.jpeg", JPEG, "image/jpeg", id="jpeg"),
        pytest.param("ANH.JPG", JPEG, "image/jpeg", id="upper-case jpg"),
        pytest.param("so-do.png", PNG, "image/png", id="png"),
    ],
)
def test_real_files_of_accepted_kinds_pass_with_their_content_type(name, content, content_type):
    result, _ = check(name, content)
    assert result == content_type


@pytest.mark.parametrize(
    ("extension", "content_type"),
    [
        (".pdf", PDF_TYPE),
        (".doc", DOC_TYPE),
        (".docx", DOCX_TYPE),
        (".xls", XLS_TYPE),
        (".xlsx", XLSX_TYPE),
        (".jpg", "image/jpeg"),
        (".jpeg", "image/jpeg"),
        (".png", "image/png"),
    ],
)
def test_accepted_table_maps_each_extension_to_its_content_type(extension, content_type):
    assert ACCEPTED[extension][0] == content_type


def test_accepted_extensions_are_exactly_the_eight_documented():
    assert set(ACCEPTED) == {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png"}


def test_pdf_header_found_anywhere_in_the_first_kilobyte():
    content = b"\x00" * 1000 + PDF
    result, _ = check("bao-cao.pdf", content)
    assert result == PDF_TYPE


def test_pdf_header_beyond_the_first_kilobyte_is_refused():
    content = b"\x00" * 1024 + PDF
    assert refusal("bao-cao.pdf", content) == (
        "Nội dung tệp “bao-cao.pdf” không phải là tệp PDF thật; hãy kiểm tra lại tệp."
    )


def test_docx_whose_only_word_entry_is_deep_in_the_archive_is_accepted():
    content = docx_bytes(members=[(f"customXml/item{i}.xml", "<a/>") for i in range(50)])
    result, _ = check("ke-hoach.docx", content)
    assert result == DOCX_TYPE


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.pdf", PDF),
        ("bao-cao.pdf", PDF_WITH_JUNK),
        ("ke-hoach.docx", DOCX),
        ("bang-diem.xlsx", XLSX),
        ("cong-van.doc", OLE_FILE),
        ("so-lieu.xls", OLE_FILE),
        ("anh.jpg", JPEG),
        ("so-do.png", PNG),
    ],
)
@pytest.mark.parametrize("position", [None, 5, "end"])
def test_stream_is_rewound_to_the_start_after_an_accepted_check(name, content, position):
    start = len(content) if position == "end" else position
    _, stream = check(name, content, position=start)
    assert stream.tell() == 0
    assert stream.read() == content  # the caller saves the whole file, untouched


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("gia-mao.pdf", TEXT),
        ("gia-mao.docx", XLSX),
        ("gia-mao.xlsx", b"PK\x03\x04" + b"\x00" * 40),
        ("gia-mao.doc", TEXT),
        ("gia-mao.jpg", PNG),
    ],
)
def test_stream_is_rewound_even_after_a_content_refusal(name, content):
    stream = io.BytesIO(content)
    stream.seek(len(content))
    with pytest.raises(UploadRefused):
        check_evidence_file(name, len(content), stream, MAX)
    assert stream.tell() == 0


def test_stream_is_not_closed_by_the_zip_check():
    _, stream = check("ke-hoach.docx", DOCX)
    assert stream.closed is False


# --- size -------------------------------------------------------------------------------------


def test_a_file_of_exactly_the_limit_is_accepted():
    result, _ = check("bao-cao.pdf", PDF, size=MAX, max_bytes=MAX)
    assert result == PDF_TYPE


def test_a_file_one_byte_over_the_limit_is_refused_naming_the_limit_in_mb():
    message = refusal("bao-cao.pdf", PDF, size=MAX + 1, max_bytes=MAX)
    assert message == "Tệp “bao-cao.pdf” lớn hơn giới hạn 20 MB."


@pytest.mark.parametrize(("limit_mb", "text"), [(1, "1 MB"), (5, "5 MB"), (50, "50 MB")])
def test_size_refusal_states_the_configured_limit(limit_mb, text):
    message = refusal("anh.png", PNG, size=limit_mb * MB + 1, max_bytes=limit_mb * MB)
    assert message == f"Tệp “anh.png” lớn hơn giới hạn {text}."


@pytest.mark.parametrize(
    ("name", "content"), [("bao-cao.pdf", b""), ("anh.jpg", b""), ("bao-cao.pdf", PDF)]
)
def test_an_empty_file_is_refused(name, content):
    assert refusal(name, content, size=0) == f"Tệp “{name}” rỗng."


def test_size_is_checked_before_content():
    # An oversized fake is refused for its size: the content is never read.
    message = refusal("gia-mao.pdf", TEXT, size=MAX + 1)
    assert message == "Tệp “gia-mao.pdf” lớn hơn giới hạn 20 MB."


# --- refused: extension -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, id="exe"),
        pytest.param("ghi-chu.txt", TEXT, id="txt"),
        pytest.param("bao-cao", PDF, id="no extension, PDF content"),
        pytest.param(".pdf", PDF, id="dotfile named .pdf"),
        pytest.param("bao-cao.pdf.exe", b"MZ\x90\x00", id="double extension ending .exe"),
        pytest.param("bao-cao.rar", b"Rar!\x1a\x07\x00", id="rar"),
        pytest.param("bao-cao.zip", DOCX, id="zip"),
        pytest.param("anh.gif", b"GIF89a", id="gif"),
        pytest.param("trang.html", b"<html></html>", id="html"),
    ],
)
def test_files_of_other_kinds_are_refused_listing_the_allowed_types(name, content):
    message = refusal(name, content)
    assert message == WRONG_TYPE.format(name=name)
    for allowed in ("PDF", "Word", "Excel", "JPG", "PNG"):
        assert allowed in message


def test_an_unaccepted_extension_is_refused_before_size_and_content():
    assert refusal("trong.txt", b"", size=0) == WRONG_TYPE.format(name="trong.txt")


# --- refused: content does not match the extension --------------------------------------------


def fake(name, ext):
    return f"Nội dung tệp “{name}” không phải là tệp {ext} thật; hãy kiểm tra lại tệp."


def truncated(content):
    return content[: len(content) // 2]


@pytest.mark.parametrize(
    ("name", "content", "ext"),
    [
        pytest.param("bao-cao.pdf", TEXT, "PDF", id="text renamed .pdf"),
        pytest.param("BAO-CAO.PDF", TEXT, "PDF", id="text renamed .PDF"),
        pytest.param("bao-cao.pdf", DOCX, "PDF", id="docx renamed .pdf"),
        pytest.param("bao-cao.pdf", b"PDF-1.4\n%%EOF", "PDF", id="header without %"),
        pytest.param("ke-hoach.docx", zip_bytes("readme.txt"), "DOCX", id="zip without word/"),
        pytest.param("ke-hoach.docx", XLSX, "DOCX", id="xlsx renamed .docx"),
        pytest.param("ke-hoach.docx", zip_bytes("wordy/document.xml"), "DOCX", id="wordy/"),
        pytest.param("ke-hoach.docx", PDF, "DOCX", id="pdf renamed .docx"),
        pytest.param("bang-diem.xlsx", DOCX, "XLSX", id="docx renamed .xlsx"),
        pytest.param("bang-diem.xlsx", b"PK\x03\x04" + b"\x00" * 40, "XLSX", id="corrupt zip"),
        pytest.param("bang-diem.xlsx", truncated(XLSX), "XLSX", id="truncated xlsx"),
        pytest.param("bang-diem.xlsx", TEXT, "XLSX", id="text renamed .xlsx"),
        pytest.param("cong-van.doc", TEXT, "DOC", id="plain text renamed .doc"),
        pytest.param("cong-van.doc", DOCX, "DOC", id="docx renamed .doc"),
        pytest.param("cong-van.doc", b"x" + OLE_FILE, "DOC", id="OLE header not at start"),
        pytest.param("so-lieu.xls", XLSX, "XLS", id="xlsx renamed .xls"),
        pytest.param("anh.jpg", PNG, "JPG", id="png renamed .jpg"),
        pytest.param("anh.jpeg", PDF, "JPEG", id="pdf renamed .jpeg"),
        pytest.param("so-do.png", JPEG, "PNG", id="jpeg renamed .png"),
        pytest.param("so-do.png", PNG[:7], "PNG", id="short png signature"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, content, ext):
    assert refusal(name, content) == fake(name, ext)


def test_text_renamed_pdf_message_names_the_file_and_says_pdf():
    message = refusal("bao-cao.pdf", TEXT)
    assert "bao-cao.pdf" in message
    assert "PDF" in message


def corrupt_central_directory(content, offset, replacement):
    """``content`` with bytes at ``offset`` of its (single-entry) central directory replaced."""
    start = content.index(b"PK\x01\x02") + offset
    return content[:start] + replacement + content[start + len(replacement) :]


def single_entry_zip(name):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, "<root/>")
    return buffer.getvalue()


# A corrupt archive must be refused like any other fake, not crash the upload with a 500.
@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            # "version needed to extract" 25.5: zipfile raises NotImplementedError.
            corrupt_central_directory(single_entry_zip("xl/workbook.xml"), 6, b"\xff\x00"),
            id="impossible zip version",
        ),
        pytest.param(
            # a name flagged UTF-8 whose bytes are not UTF-8: zipfile raises UnicodeDecodeError.
            single_entry_zip("xl/sổ.xml").replace("ổ".encode(), b"\xff\xfe\xfd"),
            id="invalid utf-8 entry name",
        ),
    ],
)
def test_a_corrupt_zip_of_any_kind_is_refused_not_crashed(content):
    assert refusal("bang-diem.xlsx", content) == fake("bang-diem.xlsx", "XLSX")
