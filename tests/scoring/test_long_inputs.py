"""No text a user can type overflows a column: every text input of the entry page, the
explanation round, the appraisal page and the ledger, posted through the page at its longest
accepted Vietnamese value, is saved; one character more is refused with a clear message and
nothing of that leaf is saved. Run on PostgreSQL too, where a value too long for its column is
an error (a 91-character document name once overflowed the leaf history's 100-character
note)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from scoring.forms.ledger import MAX_COUNT
from scoring.forms.text import LONG_TEXT
from scoring.models import (
    Adjustment,
    AdjustmentKind,
    Assessment,
    Evidence,
    EvidenceLink,
    Framework,
    LeafScore,
)
from scoring.services import create_framework, new_year_from
from scoring.services.frameworks import specs_of
from tests.samples import PDF
from tests.scoring.appraisal_helpers import leaf, open_explanation_round
from units.roles import roles_of

pytestmark = pytest.mark.django_db

VQ = "vu-quang"
FIELD_2 = ["2.1.1", "2.2.1", "2.2.2", "2.2.3", "2.3.1"]
# The name of the report that once ended the save with an error (91 characters).
REPORT = (
    "Báo cáo kết quả thực hiện công tác cải cách hành chính năm 2024 của UBND huyện Vũ Quang.pdf"
)
NUMBER_MAX, REFERENCE_MAX, FILE_NAME_MAX = 100, 200, 255  # their columns


def vietnamese(length: int) -> str:
    """Vietnamese text of exactly ``length`` characters, that no stripping shortens."""
    words = "Báo cáo kết quả thực hiện công tác cải cách hành chính của Ủy ban nhân dân huyện "
    text = (words * (length // len(words) + 1))[:length]
    return text[:-1] + "ữ" if text.endswith(" ") else text


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def long_pdf_name() -> str:
    name = vietnamese(FILE_NAME_MAX - 4) + ".pdf"
    assert len(name) == FILE_NAME_MAX
    return name


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def too_long(limit: int, typed: int) -> str:
    return f"Dài quá: tối đa {limit} ký tự (đã nhập {typed} ký tự)."


def links_of(year, unit=VQ):
    return list(
        EvidenceLink.objects.filter(leaf__assessment__year=year, leaf__assessment__unit__code=unit)
        .select_related("evidence", "leaf__node")
        .order_by("leaf__node__sort_key")
    )


def snapshot(year):
    return (
        sorted(
            LeafScore.objects.filter(assessment__year=year, assessment__unit__code=VQ).values_list(
                "node__code", "version", "explanation", "na_reason", "explanation_answer"
            )
        ),
        Evidence.objects.filter(assessment__year=year, assessment__unit__code=VQ).count(),
        len(links_of(year)),
    )


# --- the entry page ---------------------------------------------------------------------------


def field_url(year):
    return reverse("entry_field", args=[year.pk, VQ, "2"])


def entry_post(year):
    """Field 2 with every text input at its longest: each leaf's explanation, the N/A reason,
    and on each leaf a document with its number and reference."""
    data = {}
    for code in FIELD_2:
        data[f"{code}-version"] = "0"
        data[f"{code}-explanation"] = vietnamese(LONG_TEXT)
        data[f"ev-{code}-document_number"] = vietnamese(NUMBER_MAX)
        data[f"ev-{code}-document_date"] = "2024-03-05"
        data[f"ev-{code}-reference"] = vietnamese(REFERENCE_MAX)
    data["2.2.2-not_applicable"] = "on"
    data["2.2.2-na_reason"] = vietnamese(LONG_TEXT)
    data["2.3.1-score"] = "1"
    data["ev-2.1.1-file"] = pdf(REPORT)
    for code in FIELD_2[1:]:
        data[f"ev-{code}-file"] = pdf(long_pdf_name())
    return data


def test_the_entry_page_saves_every_text_input_at_its_longest(officer_a, year_2024):
    response = signed_in(officer_a).post(field_url(year_2024), entry_post(year_2024))
    assert response.status_code == 302, response.content.decode()[-3000:]
    rows = {
        row.node.code: row
        for row in LeafScore.objects.filter(
            assessment__year=year_2024, assessment__unit__code=VQ, node__code__in=FIELD_2
        ).select_related("node")
    }
    assert all(row.explanation == vietnamese(LONG_TEXT) for row in rows.values())
    assert rows["2.2.2"].na_reason == vietnamese(LONG_TEXT)
    links = links_of(year_2024)
    assert [link.leaf.node.code for link in links] == FIELD_2
    names = {link.leaf.node.code: link.evidence.original_name for link in links}
    assert names["2.1.1"] == REPORT
    assert all(names[code] == long_pdf_name() for code in FIELD_2[1:])
    assert all(link.reference == vietnamese(REFERENCE_MAX) for link in links)
    assert all(link.evidence.document_number == vietnamese(NUMBER_MAX) for link in links)


BAD_ENTRY = {
    "a 121-character document number": (
        "ev-2.2.1-document_number",
        vietnamese(121),
        too_long(NUMBER_MAX, 121),
    ),
    "a reference one past its column": (
        "ev-2.2.1-reference",
        vietnamese(REFERENCE_MAX + 1),
        too_long(REFERENCE_MAX, REFERENCE_MAX + 1),
    ),
    "an explanation past the bound": (
        "2.3.1-explanation",
        vietnamese(LONG_TEXT + 1),
        too_long(LONG_TEXT, LONG_TEXT + 1),
    ),
    "an N/A reason past the bound": (
        "2.2.2-na_reason",
        vietnamese(LONG_TEXT + 1),
        too_long(LONG_TEXT, LONG_TEXT + 1),
    ),
}


@pytest.mark.parametrize("case", list(BAD_ENTRY))
def test_the_entry_page_refuses_one_character_more_with_a_message(officer_a, year_2024, case):
    name, value, message = BAD_ENTRY[case]
    data = {**entry_post(year_2024), name: value}
    response = signed_in(officer_a).post(field_url(year_2024), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    # Nothing of the refused leaf is saved; the other leaves of the page are.
    bad = name.removeprefix("ev-").split("-")[0]
    assert leaf(year_2024, bad) is None
    assert {link.leaf.node.code for link in links_of(year_2024)} == set(FIELD_2) - {bad}


def test_a_count_of_thousands_of_digits_is_refused_not_an_error(officer_a, year_2024):
    before = snapshot(year_2024)
    data = {"2.2.3-version": "0", "2.2.3-d_count": "1" * 5000}
    response = signed_in(officer_a).post(field_url(year_2024), data)
    assert response.status_code == 200
    assert "Số quá lớn: tối đa 15 chữ số." in response.content.decode()
    assert snapshot(year_2024) == before


# --- the explanation round --------------------------------------------------------------------


@pytest.fixture
def explanation_year(appraiser, year_2023):
    return open_explanation_round(appraiser, year_2023)


def explanation_post(year):
    data = {}
    for code, name in (("1.3.2", REPORT), ("2.3.1", long_pdf_name())):
        data[f"{code}-version"] = leaf(year, code).version
        data[f"{code}-answer"] = vietnamese(LONG_TEXT)
        data[f"ev-{code}-file"] = pdf(name)
        data[f"ev-{code}-document_number"] = vietnamese(NUMBER_MAX)
        data[f"ev-{code}-reference"] = vietnamese(REFERENCE_MAX)
    return data


def test_the_explanation_round_saves_every_text_input_at_its_longest(officer_a, explanation_year):
    year = explanation_year
    url = reverse("explanation", args=[year.pk, VQ])
    response = signed_in(officer_a).post(url, explanation_post(year))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert leaf(year, "1.3.2").explanation_answer == vietnamese(LONG_TEXT)
    assert leaf(year, "2.3.1").explanation_answer == vietnamese(LONG_TEXT)
    added = [link for link in links_of(year) if link.supplementary]
    assert sorted(link.evidence.original_name for link in added) == sorted(
        [REPORT, long_pdf_name()]
    )
    assert all(link.reference == vietnamese(REFERENCE_MAX) for link in added)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ev-1.3.2-document_number", vietnamese(121), too_long(NUMBER_MAX, 121)),
        ("1.3.2-answer", vietnamese(LONG_TEXT + 1), too_long(LONG_TEXT, LONG_TEXT + 1)),
    ],
    ids=["a 121-character document number", "an answer past the bound"],
)
def test_the_explanation_round_refuses_one_character_more(
    officer_a, explanation_year, name, value, message
):
    year = explanation_year
    before = snapshot(year)
    url = reverse("explanation", args=[year.pk, VQ])
    response = signed_in(officer_a).post(url, {**explanation_post(year), name: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot(year) == before


# --- the appraisal page -----------------------------------------------------------------------


def test_the_appraisal_comment_at_its_longest_is_saved_and_one_more_refused(
    interior_admin, year_2023
):
    client = signed_in(interior_admin)
    url = reverse("appraise_field", args=[year_2023.pk, VQ, "1"])
    data = {"1.3.2-version": "0", "1.3.2-score": "1", "1.3.2-comment": vietnamese(LONG_TEXT + 1)}
    response = client.post(url, data)
    assert response.status_code == 200
    assert too_long(LONG_TEXT, LONG_TEXT + 1) in response.content.decode()
    assert leaf(year_2023, "1.3.2") is None or leaf(year_2023, "1.3.2").r1_comment == ""
    data["1.3.2-comment"] = vietnamese(LONG_TEXT)
    assert client.post(url, data).status_code == 302
    assert leaf(year_2023, "1.3.2").r1_comment == vietnamese(LONG_TEXT)


# --- the ledger -------------------------------------------------------------------------------


def ledger_post(year, **extra):
    return {
        "kind": AdjustmentKind.objects.get(code="officials-disciplined").pk,
        "count": str(MAX_COUNT),
        "points": "1",
        "reason": vietnamese(LONG_TEXT),
        "document": pdf(long_pdf_name()),
        "version": Assessment.objects.get(year=year, unit__code=VQ).ledger_version,
        **extra,
    }


def test_the_ledger_saves_its_inputs_at_their_longest(interior_admin, year_2023):
    url = reverse("ledger", args=[year_2023.pk, VQ])
    response = signed_in(interior_admin).post(url, ledger_post(year_2023))
    assert response.status_code == 302, response.content.decode()[-3000:]
    entry_ = Adjustment.objects.get(assessment__year=year_2023, assessment__unit__code=VQ)
    assert (entry_.reason, entry_.count) == (vietnamese(LONG_TEXT), MAX_COUNT)
    # The stored name fits its 100-character column and the file system's 255 bytes.
    assert len(entry_.document.name) <= 100
    assert entry_.document.name.startswith("adjustments/Báo")
    with entry_.document.open("rb") as stored:
        assert stored.read() == PDF


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"count": str(MAX_COUNT + 1)}, f"Số trường hợp tối đa {MAX_COUNT}."),
        ({"count": "1" * 5000}, f"Số trường hợp tối đa {MAX_COUNT}."),
        ({"reason": vietnamese(LONG_TEXT + 1)}, too_long(LONG_TEXT, LONG_TEXT + 1)),
    ],
    ids=["a count past the bound", "a count of thousands of digits", "a reason past the bound"],
)
def test_the_ledger_refuses_one_more_with_a_message(interior_admin, year_2023, extra, message):
    url = reverse("ledger", args=[year_2023.pk, VQ])
    response = signed_in(interior_admin).post(url, ledger_post(year_2023, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Adjustment.objects.filter(assessment__year=year_2023, assessment__unit__code=VQ)


# --- a framework's name -----------------------------------------------------------------------


def test_a_year_copies_a_framework_named_at_the_columns_length(interior_admin, year_2024):
    """A framework named with the longest name the column takes is copied for the next year
    with its year in the name, shortened to fit rather than refused by the database."""

    longest = ("Bộ chỉ số cải cách hành chính cấp huyện tỉnh Hà Tĩnh " * 5)[:200]
    Framework.objects.filter(pk=year_2024.framework_id).update(name=longest)
    year = new_year_from(
        roles=roles_of(interior_admin),
        year=2025,
        unit_level=year_2024.unit_level,
        user=interior_admin,
    )
    assert len(year.framework.name) <= 200
    assert year.framework.name.endswith(" (2025)")


def test_a_framework_name_past_the_column_is_refused_with_a_message(interior_admin, year_2024):

    with pytest.raises(ValidationError) as exc:
        create_framework(
            roles=roles_of(interior_admin),
            name="Bộ chỉ số " * 30,
            unit_level=year_2024.unit_level,
            nodes=specs_of(year_2024.framework),
        )
    assert "tối đa 200 ký tự" in " ".join(exc.value.messages)
