"""The self-assessment pages: who may read or change what, saving a field, bad input, conflicts,
the score preview, history, read-only states, survey leaves and the submit page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from scoring.models import Assessment, Evidence, EvidenceLink, FrameworkNode, LeafScore
from tests.samples import PDF

pytestmark = pytest.mark.django_db  # run before the browser tests flush the database

VQ, HL = "vu-quang", "tx-hong-linh"
LEADER_A_NAME = "Lãnh đạo UBND huyện Vũ Quang"
OFFICER_A_NAME = "Cán bộ Phòng Nội vụ huyện Vũ Quang"
# Field 2's unit-filled leaves: percent tiers, binary, proportional (N/A allowed), deduction,
# manual (step 0.25, max 2).
FIELD_2 = ["2.1.1", "2.2.1", "2.2.2", "2.2.3", "2.3.1"]
KEEP = "Giữ nguyên nội dung"


# --- helpers ----------------------------------------------------------------------------------


def entry_url(name, year, *extra, unit=VQ):
    return reverse(name, args=[year.pk, unit, *extra])


def field_url(year, field="2", unit=VQ):
    return entry_url("entry_field", year, field, unit=unit)


def field2_post(values=None, versions=None):
    """A complete POST of field 2's form, as the browser sends it: every unit-filled leaf with
    its version (0 unless given) and the chosen values."""
    data = {}
    for code in FIELD_2:
        data[f"{code}-version"] = str((versions or {}).get(code, 0))
        data[f"{code}-explanation"] = ""
    data.update(values or {})
    return data


def pdf(name="ke-hoach-ra-soat.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def signed_in(user):
    """A client of its own, for a second person acting between two requests of the first."""
    other = Client()
    other.force_login(user)
    return other


def assessment_of(year, unit=VQ):
    return Assessment.objects.get(year=year, unit__code=unit)


def leaf(year, code, unit=VQ):
    return LeafScore.objects.filter(
        assessment__year=year, assessment__unit__code=unit, node__code=code
    ).first()


def snapshot(year, unit=VQ):
    """Everything a save could touch in one unit's assessment."""
    rows = LeafScore.objects.filter(assessment__year=year, assessment__unit__code=unit)
    return (
        sorted(
            rows.values_list(
                "node__code",
                "version",
                "self_score",
                "declared",
                "not_applicable",
                "na_reason",
                "explanation",
            ),
            key=lambda r: r[0],
        ),
        Evidence.objects.filter(assessment__year=year, assessment__unit__code=unit).count(),
        EvidenceLink.objects.filter(
            leaf__assessment__year=year, leaf__assessment__unit__code=unit
        ).count(),
    )


def upload_evidence(user, year, unit=VQ, leaf_code="2.2.1"):
    """Attach a PDF to a leaf the way the unit does, through the field's form."""
    data = field2_post({f"ev-{leaf_code}-file": pdf(), f"ev-{leaf_code}-reference": "Mục 2"})
    response = signed_in(user).post(field_url(year, unit=unit), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return EvidenceLink.objects.select_related("evidence").get(
        leaf__assessment__year=year, leaf__assessment__unit__code=unit, leaf__node__code=leaf_code
    )


def filled(html):
    """The progress summary's "filled/total" numbers."""
    match = re.search(r'data-testid="filled">(\d+)/(\d+)', html)
    assert match, "no progress summary on the page"
    return int(match[1]), int(match[2])


def field_block(html, name):
    """The HTML of one form field as crispy renders it: label, input and its error."""
    start = html.index(f'id="div_id_{name}"')
    end = html.find('id="div_id_', start + 1)
    return html[start : end if end != -1 else len(html)]


def unit_leaf_count(year):
    return (
        FrameworkNode.objects.filter(framework=year.framework, filled_by="unit")
        .exclude(rule="")
        .count()
    )


# --- access matrix ----------------------------------------------------------------------------

WHO = ["anonymous", "officer_a", "leader_a", "officer_b", "appraiser", "interior_admin", "viewer"]
# Reading the unit's entry: its staff and the Interior Department; others are told nothing.
READ = {
    "anonymous": "login",
    "officer_a": "ok",
    "leader_a": "ok",
    "officer_b": 404,
    "appraiser": "ok",
    "interior_admin": "ok",
    "viewer": 404,
}
# Changing it: only the unit's staff; the Interior Department may read but not change (403).
CHANGE = {**READ, "appraiser": 403, "interior_admin": 403}
# Submitting and withdrawing: the unit's leader only; its officer is refused.
LEADER = {**CHANGE, "officer_a": 403}


@pytest.fixture
def client_of(request, client):
    def sign_in(who):
        if who != "anonymous":
            client.force_login(request.getfixturevalue(who))
        return client

    return sign_in


@pytest.fixture
def link(officer_a, year_2024):
    """A PDF the Vũ Quang officer attached to 2.2.1."""
    return upload_evidence(officer_a, year_2024)


def _entry(client, year, ctx):
    response = client.get(reverse("entry", args=[year.pk, VQ]))
    if response.status_code == 302 and "login" not in response.url:
        assert response.url == field_url(year, "1")
    return response


def _field_get(client, year, ctx):
    response = client.get(field_url(year))
    if response.status_code == 200:
        assert 'name="2.3.1-score"' in response.content.decode()
    return response


def _field_post(client, year, ctx):
    return client.post(field_url(year), field2_post({"2.3.1-score": "1,5"}))


def _field_post_effect(year, ctx):
    row = leaf(year, "2.3.1")
    return row is not None and row.self_score == Decimal("1.50")


def _preview(client, year, ctx):
    data = {"2.2.2-version": "0", "2.2.2-d_done": "3", "2.2.2-d_total": "4"}
    response = client.post(entry_url("entry_preview", year, "2.2.2"), data)
    if response.status_code == 200:
        assert "0,75" in response.content.decode()
    return response


def _history(client, year, ctx):
    response = client.get(entry_url("leaf_history", year, "1.1.1"))
    if response.status_code == 200:
        assert "Lịch sử thay đổi" in response.content.decode()
    return response


def _download(client, year, ctx):
    response = client.get(entry_url("evidence_download", year, ctx["link"].evidence_id))
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "ke-hoach-ra-soat.pdf" in response["Content-Disposition"]
    return response


def _remove(client, year, ctx):
    response = client.post(entry_url("evidence_remove", year, ctx["link"].pk))
    if response.status_code == 302 and "login" not in response.url:
        assert response.url == field_url(year, "2") + "#leaf-2-2-1"
    return response


def _remove_effect(year, ctx):
    return not EvidenceLink.objects.filter(pk=ctx["link"].pk).exists()


def _submit_get(client, year, ctx):
    response = client.get(entry_url("entry_submit", year))
    if response.status_code == 200:
        assert 'data-testid="status"' in response.content.decode()
    return response


def _submit_post(client, year, ctx):
    response = client.post(entry_url("entry_submit", year), {"problems_seen": "on"})
    if response.status_code == 200:
        # Leaves are still empty: the leader is told what blocks the submission.
        assert "tiêu chí phải hoàn thiện trước khi gửi" in response.content.decode()
    return response


def _withdraw(client, year, ctx):
    response = client.post(entry_url("entry_withdraw", year), {"confirm": "1"})
    if response.status_code == 302 and "login" not in response.url:
        assert response.url == reverse("entry", args=[year.pk, VQ])
    return response


def _withdraw_effect(year, ctx):
    return assessment_of(year).status == Assessment.Status.DRAFT


def _submitted(year, ctx):
    Assessment.objects.filter(pk=assessment_of(year).pk).update(status="submitted")


# name: (request, what the allowed user gets, outcome table, effect of a change or None, setup)
ACTIONS = {
    "entry GET": (_entry, 302, READ, None, None),
    "entry_field GET": (_field_get, 200, READ, None, None),
    "entry_field POST": (_field_post, 302, CHANGE, _field_post_effect, None),
    "entry_preview POST": (_preview, 200, READ, None, None),
    "leaf_history GET": (_history, 200, READ, None, None),
    "evidence_download GET": (_download, 200, READ, None, "link"),
    "evidence_remove POST": (_remove, 302, CHANGE, _remove_effect, "link"),
    "entry_submit GET": (_submit_get, 200, READ, None, None),
    "entry_submit POST": (_submit_post, 200, LEADER, None, None),
    "entry_withdraw POST": (_withdraw, 302, LEADER, _withdraw_effect, _submitted),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_access_matrix(request, client_of, year_2024, action, who):
    run, ok_status, outcomes, effect, setup = ACTIONS[action]
    ctx = {}
    if setup == "link":
        ctx["link"] = request.getfixturevalue("link")
    elif setup:
        setup(year_2024, ctx)
    before = assessment_of(year_2024).status
    response = run(client_of(who), year_2024, ctx)
    expected = outcomes[who]
    if expected == "login":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    elif expected == "ok":
        assert response.status_code == ok_status
    else:
        assert response.status_code == expected
    if effect is not None:
        assert effect(year_2024, ctx) is (expected == "ok")
    if action == "entry_submit POST":
        # Nobody gets a submission through while leaves are empty.
        assert assessment_of(year_2024).status == before == Assessment.Status.DRAFT


@pytest.mark.parametrize("field_code", ["99", "2.2", "x"])
def test_unknown_field_is_404(as_user, officer_a, year_2024, field_code):
    assert as_user(officer_a).get(field_url(year_2024, field_code)).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_field_is_404_for_a_save_too(as_user, officer_a, year_2024, method):
    client = as_user(officer_a)
    response = getattr(client, method)(field_url(year_2024, "99"), field2_post())
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["entry_preview", "leaf_history"])
@pytest.mark.parametrize("code", ["9.9.9", "2.2", "2"])
def test_unknown_or_non_leaf_code_is_404(as_user, officer_a, year_2024, name, code):
    client = as_user(officer_a)
    url = entry_url(name, year_2024, code)
    response = client.post(url, {}) if name == "entry_preview" else client.get(url)
    assert response.status_code == 404


def test_unknown_unit_or_year_is_404(as_user, appraiser, year_2024):
    client = as_user(appraiser)
    assert client.get(field_url(year_2024, unit="no-such-unit")).status_code == 404
    assert client.get(reverse("entry_field", args=[999999, VQ, "1"])).status_code == 404


@pytest.mark.parametrize("who", ["officer_a", "appraiser"])
def test_another_units_evidence_under_our_url_is_404(
    as_user, request, officer_b, year_2024, link, who
):
    theirs = upload_evidence(officer_b, year_2024, unit=HL)
    client = as_user(request.getfixturevalue(who))
    url = entry_url("evidence_download", year_2024, theirs.evidence_id)
    assert client.get(url).status_code == 404
    # Their own URL is fine for the Interior Department, not for another unit's officer.
    own = client.get(entry_url("evidence_download", year_2024, theirs.evidence_id, unit=HL))
    assert own.status_code == (200 if who == "appraiser" else 404)


def test_another_units_evidence_link_cannot_be_removed_under_our_url(
    as_user, officer_a, officer_b, year_2024
):
    theirs = upload_evidence(officer_b, year_2024, unit=HL)
    response = as_user(officer_a).post(entry_url("evidence_remove", year_2024, theirs.pk))
    assert response.status_code == 404
    assert EvidenceLink.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize("name", ["entry_preview", "evidence_remove", "entry_withdraw"])
def test_get_on_post_only_urls_is_405(as_user, officer_a, year_2024, link, name):
    extra = {"entry_preview": ["2.2.2"], "evidence_remove": [link.pk], "entry_withdraw": []}
    response = as_user(officer_a).get(entry_url(name, year_2024, *extra[name]))
    assert response.status_code == 405
    assert EvidenceLink.objects.filter(pk=link.pk).exists()


@pytest.mark.parametrize("name", ["evidence_download", "leaf_history"])
def test_post_on_get_only_urls_is_405(as_user, officer_a, year_2024, link, name):
    extra = {"evidence_download": [link.evidence_id], "leaf_history": ["1.1.1"]}
    assert as_user(officer_a).post(entry_url(name, year_2024, *extra[name])).status_code == 405


# --- saving -----------------------------------------------------------------------------------


def test_saving_a_field_stores_the_values_and_updates_the_progress(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    before = filled(client.get(field_url(year_2024)).content.decode())
    assert before[1] == unit_leaf_count(year_2024)
    response = client.post(
        field_url(year_2024),
        field2_post(
            {
                "2.2.2-d_done": "3",
                "2.2.2-d_total": "4",
                "2.3.1-score": "1.5",
                "2.3.1-explanation": "Đã ban hành kế hoạch theo dõi",
            }
        ),
    )
    assert response.status_code == 302
    assert response.url == field_url(year_2024) + "?saved=1"
    proportional, manual = leaf(year_2024, "2.2.2"), leaf(year_2024, "2.3.1")
    assert proportional.self_score == Decimal("0.75")
    assert proportional.declared == {"done": "3", "total": "4"}
    assert (manual.self_score, manual.version) == (Decimal("1.50"), 1)
    assert manual.explanation == "Đã ban hành kế hoạch theo dõi"
    assert (manual.updated_by, proportional.updated_by) == (officer_a, officer_a)
    # Leaves left empty get no row.
    assert leaf(year_2024, "2.1.1") is None
    page = client.get(response.url)
    html = page.content.decode()
    assert "Đã lưu." in html
    assert filled(html) == (before[0] + 2, before[1])


def test_saving_unchanged_values_again_changes_nothing(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    data = field2_post({"2.3.1-score": "1"})
    assert client.post(field_url(year_2024), data).status_code == 302
    # The same form posted again (still on version 0): nothing changed, so no conflict.
    assert client.post(field_url(year_2024), data).status_code == 302
    assert leaf(year_2024, "2.3.1").version == 1


def test_binary_and_deduction_and_na_are_saved(as_user, officer_a, year_2024):
    response = as_user(officer_a).post(
        field_url(year_2024),
        field2_post(
            {
                "2.2.1-d_done": "1",
                "2.2.3-d_count": "2",
                "2.2.2-not_applicable": "on",
                "2.2.2-na_reason": "Không phát hiện văn bản trái pháp luật",
            }
        ),
    )
    assert response.status_code == 302
    assert leaf(year_2024, "2.2.1").self_score == Decimal("0.50")
    assert leaf(year_2024, "2.2.3").self_score == Decimal("0.50")
    na = leaf(year_2024, "2.2.2")
    assert (na.not_applicable, na.self_score) == (True, None)
    assert na.na_reason == "Không phát hiện văn bản trái pháp luật"


def test_uploading_evidence_stores_the_file_and_lists_it(as_user, officer_a, year_2024, link):
    assert link.reference == "Mục 2"
    assert link.evidence.original_name == "ke-hoach-ra-soat.pdf"
    assert link.evidence.content_type == "application/pdf"
    assert link.evidence.uploaded_by == officer_a
    html = as_user(officer_a).get(field_url(year_2024)).content.decode()
    download = entry_url("evidence_download", year_2024, link.evidence_id)
    assert f'href="{download}"' in html


def test_removing_the_last_link_deletes_the_document(as_user, officer_a, year_2024, link):
    response = as_user(officer_a).post(entry_url("evidence_remove", year_2024, link.pk))
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=link.evidence_id).exists()


# --- bad input --------------------------------------------------------------------------------

BAD_INPUT = {
    "score above max": ({"2.3.1-score": "3"}, "2.3.1-score", "không được lớn hơn điểm tối đa"),
    "negative count": ({"2.2.3-d_count": "-1"}, "2.2.3-d_count", "Không được là số âm."),
    "done above total": (
        {"2.2.2-d_done": "5", "2.2.2-d_total": "4"},
        "2.2.2-d_done",
        "Số đã thực hiện không được lớn hơn tổng số.",
    ),
    "zero total": (
        {"2.2.2-d_done": "0", "2.2.2-d_total": "0"},
        "2.2.2-d_total",
        "Tổng số phải lớn hơn 0.",
    ),
    "n/a without reason": (
        {"2.2.2-not_applicable": "on"},
        "2.2.2-na_reason",
        "Cần nêu lý do không áp dụng.",
    ),
    "score off the step": (
        {"2.3.1-score": "1,1"},
        "2.3.1-score",
        "Điểm phải là bội số của 0,25.",
    ),
    "score not a number": ({"2.3.1-score": "mười"}, "2.3.1-score", "Nhập một số."),
    "exe file": (
        {"ev-2.2.1-file": ("virus.exe", b"MZ\x90\x00")},
        "ev-2.2.1-file",
        "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG, PNG; “virus.exe” không phải loại này.",
    ),
    "txt file": (
        {"ev-2.2.1-file": ("ghi-chu.txt", b"ghi chu")},
        "ev-2.2.1-file",
        "Chỉ nhận tệp PDF, Word, Excel hoặc ảnh JPG, PNG; “ghi-chu.txt” không phải loại này.",
    ),
    "fake pdf": (
        {"ev-2.2.1-file": ("bao-cao.pdf", b"Day khong phai PDF")},
        "ev-2.2.1-file",
        "Nội dung tệp “bao-cao.pdf” không phải là tệp PDF thật; hãy kiểm tra lại tệp.",
    ),
    "oversized file": (
        {"ev-2.2.1-file": ("lon.pdf", PDF + b"0" * 200)},
        "ev-2.2.1-file",
        "Tệp “lon.pdf” lớn hơn giới hạn",
    ),
    "new file and existing document": (
        {"ev-2.2.1-file": ("moi.pdf", PDF), "ev-2.2.1-existing": "EXISTING"},
        None,
        "Chọn tệp mới hoặc tài liệu đã có, không cả hai.",
    ),
}


# The leaf each bad input belongs to: it alone stays unsaved.
BAD_LEAF = {
    "score above max": "2.3.1",
    "negative count": "2.2.3",
    "done above total": "2.2.2",
    "zero total": "2.2.2",
    "n/a without reason": "2.2.2",
    "score off the step": "2.3.1",
    "score not a number": "2.3.1",
    "exe file": "2.2.1",
    "txt file": "2.2.1",
    "fake pdf": "2.2.1",
    "oversized file": "2.2.1",
    "new file and existing document": "2.2.1",
}


def score_shown(html, code):
    """The text of a leaf's score output on the field page."""
    dom_id = code.replace(".", "-")
    output = re.search(rf'<output[^>]*id="score-{dom_id}"[^>]*>(.*?)</output>', html, re.S)
    assert output, f"no score output for {code}"
    return re.sub(r"<[^>]+>", "", output[1]).strip()


def points(value):
    return f"{value:.2f}".replace(".", ",")


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_refused_next_to_its_field_and_the_valid_leaves_are_saved(
    as_user, officer_a, year_2024, settings, case
):
    settings.EVIDENCE_MAX_BYTES = 100
    values, field, message = BAD_INPUT[case]
    bad = BAD_LEAF[case]
    values = dict(values)
    if values.get("ev-2.2.1-existing") == "EXISTING":
        # A document the unit already has, attached to another leaf.
        settings.EVIDENCE_MAX_BYTES = 10_000
        existing = upload_evidence(officer_a, year_2024, leaf_code="2.2.2")
        values["ev-2.2.1-existing"] = str(existing.evidence_id)
    for name, value in values.items():
        if isinstance(value, tuple):
            values[name] = SimpleUploadedFile(value[0], value[1], "application/octet-stream")
    documents = Evidence.objects.count()
    typed = {
        "2.1.1-d_done": "45",
        "2.1.1-d_total": "50",
        "2.1.1-explanation": KEEP,
        "2.2.1-d_done": "1",
    }
    if not case.startswith("score"):
        typed["2.3.1-score"] = "1,75"
    response = as_user(officer_a).post(field_url(year_2024), field2_post({**typed, **values}))
    assert response.status_code == 200
    html = response.content.decode()
    # Said next to its input, and listed at the top with a link to the leaf.
    if field is not None:
        block = field_block(html, field)
        assert message in block
        assert "is-invalid" in block
    top = html[html.index('data-testid="unsaved"') :]
    top = top[: top.index("</div>")]
    assert f'href="#leaf-{bad.replace(".", "-")}"' in top
    assert message in top
    # The valid leaves the user typed in are saved, each whole; the bad leaf is not (neither
    # its entry nor its document).
    saved = {"2.1.1", "2.2.1", "2.3.1"} - {bad}
    assert f"Đã lưu {len(saved)} tiêu chí; 1 tiêu chí chưa lưu được: {bad}." in html
    for code in saved:
        assert leaf(year_2024, code).version == 1
    assert leaf(year_2024, "2.1.1").explanation == KEEP
    assert leaf(year_2024, bad) is None
    assert Evidence.objects.count() == documents
    # The page shows the saved leaves as stored, at their new version, with their score, and
    # the bad leaf as typed, at the version the page showed.
    assert KEEP in html
    assert 'value="45"' in field_block(html, "2.1.1-d_done")
    assert 'value="50"' in field_block(html, "2.1.1-d_total")
    assert 'name="2.1.1-version" value="1"' in html
    assert score_shown(html, "2.1.1") == points(leaf(year_2024, "2.1.1").self_score)
    assert re.search(r'value="1"[^>]*checked', field_block(html, "2.2.1-d_done"))
    assert f'name="{bad}-version" value="0"' in html
    if "2.3.1-score" in typed:
        assert 'value="1,75"' in field_block(html, "2.3.1-score")
        assert score_shown(html, "2.3.1") == "1,75"
    # The bad leaf's card is marked.
    assert f'class="card mb-3 border-danger" id="leaf-{bad.replace(".", "-")}"' in html


def test_bad_input_does_not_change_a_stored_leaf(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    client.post(field_url(year_2024), field2_post({"2.3.1-score": "1", "2.1.1-explanation": "A"}))
    response = client.post(
        field_url(year_2024),
        field2_post(
            {"2.3.1-score": "3", "2.3.1-explanation": "B", "2.1.1-explanation": KEEP},
            versions={"2.3.1": 1, "2.1.1": 1},
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã lưu 1 tiêu chí; 1 tiêu chí chưa lưu được: 2.3.1." in html
    # The bad leaf is left whole as stored: neither its score nor its explanation changed.
    row = leaf(year_2024, "2.3.1")
    assert (row.self_score, row.explanation, row.version) == (Decimal("1.00"), "", 1)
    assert leaf(year_2024, "2.1.1").explanation == KEEP
    # ...and the page keeps what was typed for it, at the version it showed.
    assert 'value="3"' in field_block(html, "2.3.1-score")
    assert 'name="2.3.1-version" value="1"' in html
    assert 'name="2.1.1-version" value="2"' in html
    # Saving the page again once the score is fixed is no conflict with one's own save.
    data = field2_post(
        {"2.3.1-score": "2", "2.3.1-explanation": "B", "2.1.1-explanation": KEEP},
        versions={"2.3.1": 1, "2.1.1": 2},
    )
    assert client.post(field_url(year_2024), data).status_code == 302
    assert leaf(year_2024, "2.3.1").self_score == Decimal("2.00")


def test_when_every_touched_leaf_is_bad_nothing_is_saved_and_the_page_says_so(
    as_user, officer_a, year_2024
):
    before = snapshot(year_2024)
    response = as_user(officer_a).post(
        field_url(year_2024), field2_post({"2.3.1-score": "3", "2.2.3-d_count": "1,5"})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa lưu: 2 tiêu chí có lỗi (2.2.3, 2.3.1). Hãy sửa các ô báo lỗi bên dưới." in html
    assert snapshot(year_2024) == before


def test_a_valid_entry_with_a_bad_document_is_not_half_saved(as_user, officer_a, year_2024):
    """The entry and the document typed for one leaf go in together or not at all."""
    response = as_user(officer_a).post(
        field_url(year_2024),
        field2_post(
            {
                "2.2.1-d_done": "1",
                "2.2.1-explanation": "Có kế hoạch",
                "ev-2.2.1-file": pdf("bao-cao.pdf", b"Day khong phai PDF"),
                "2.3.1-score": "1",
            }
        ),
    )
    assert response.status_code == 200
    assert "Đã lưu 1 tiêu chí; 1 tiêu chí chưa lưu được: 2.2.1." in response.content.decode()
    assert leaf(year_2024, "2.2.1") is None
    assert leaf(year_2024, "2.3.1").self_score == Decimal("1.00")
    assert not Evidence.objects.filter(original_name="bao-cao.pdf").exists()


def test_a_document_of_a_valid_leaf_is_saved_beside_a_bad_leaf(as_user, officer_a, year_2024):
    response = as_user(officer_a).post(
        field_url(year_2024),
        field2_post({"ev-2.2.1-file": pdf("quyet-dinh.pdf"), "2.3.1-score": "9"}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã lưu 1 tiêu chí; 1 tiêu chí chưa lưu được: 2.3.1." in html
    link = EvidenceLink.objects.get(evidence__original_name="quyet-dinh.pdf")
    assert link.leaf.node.code == "2.2.1"
    # Listed under its leaf, and offered at once to every leaf's "existing document" choice.
    assert "quyet-dinh.pdf" in html[html.index('data-testid="evidence-2-2-1"') :][:400]
    assert html.count(f'<option value="{link.evidence_id}">quyet-dinh.pdf</option>') == 5
    assert "hãy chọn lại tệp" not in html  # the only file chosen was saved


def test_a_conflict_still_saves_nothing_even_beside_a_bad_leaf(officer_a, leader_a, year_2024):
    officer = signed_in(officer_a)
    assert (
        signed_in(leader_a)
        .post(field_url(year_2024), field2_post({"2.3.1-score": "1"}))
        .status_code
        == 302
    )
    response = officer.post(
        field_url(year_2024),
        field2_post({"2.3.1-score": "2", "2.1.1-explanation": KEEP, "2.2.3-d_count": "x"}),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="conflict"' in html
    assert 'data-testid="unsaved"' in html  # the bad leaf is still listed
    assert leaf(year_2024, "2.1.1") is None and leaf(year_2024, "2.2.3") is None
    assert leaf(year_2024, "2.3.1").self_score == Decimal("1.00")
    assert "Đã lưu" not in html


# --- Vietnamese numbers -----------------------------------------------------------------------


def test_decimal_comma_is_accepted(as_user, officer_a, year_2024):
    response = as_user(officer_a).post(field_url(year_2024), field2_post({"2.3.1-score": "1,5"}))
    assert response.status_code == 302
    assert leaf(year_2024, "2.3.1").self_score == Decimal("1.50")


def test_decimal_comma_in_a_declared_figure_is_accepted(as_user, officer_a, year_2024):
    response = as_user(officer_a).post(
        field_url(year_2024), field2_post({"2.2.2-d_done": "1,5", "2.2.2-d_total": "2"})
    )
    assert response.status_code == 302
    assert leaf(year_2024, "2.2.2").self_score == Decimal("0.75")


def test_stored_score_is_shown_with_a_decimal_comma(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    client.post(field_url(year_2024), field2_post({"2.3.1-score": "1,5"}))
    html = client.get(field_url(year_2024)).content.decode()
    assert 'value="1,50"' in field_block(html, "2.3.1-score")


WHOLE_NUMBER = "Nhập số nguyên, ví dụ 12."


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        # "1.000" is one thousand to a Vietnamese reader and 1 to Python: refuse, don't guess.
        ("1.000", "Nhập một số nguyên, chỉ gồm chữ số (không dấu chấm, phẩy)."),
        ("12,5", WHOLE_NUMBER),
        ("1,5", WHOLE_NUMBER),
        ("1e3", WHOLE_NUMBER),
        ("một", WHOLE_NUMBER),
        ("²", WHOLE_NUMBER),  # a digit to str.isdigit(), not to int()
        ("١٢", WHOLE_NUMBER),
        ("-3", "Không được là số âm."),
        ("1234567890123456", "Số quá lớn: tối đa 15 chữ số."),
    ],
)
def test_a_count_that_is_not_a_whole_number_is_refused_plainly(
    as_user, officer_a, year_2024, typed, message
):
    response = as_user(officer_a).post(
        field_url(year_2024), field2_post({"2.2.3-d_count": typed, "2.1.1-explanation": KEEP})
    )
    assert response.status_code == 200
    html = response.content.decode()
    block = field_block(html, "2.2.3-d_count")
    assert "invalid-feedback" in block
    assert message in block
    assert f'value="{typed}"' in block
    assert leaf(year_2024, "2.2.3") is None
    assert leaf(year_2024, "2.1.1").explanation == KEEP  # the other leaf is saved


@pytest.mark.parametrize(("typed", "stored"), [("12", 12), (" 7 ", 7), ("0", 0)])
def test_a_whole_count_is_accepted(as_user, officer_a, year_2024, typed, stored):
    response = as_user(officer_a).post(field_url(year_2024), field2_post({"2.2.3-d_count": typed}))
    assert response.status_code == 302
    assert leaf(year_2024, "2.2.3").declared == {"count": stored}


# --- concurrency ------------------------------------------------------------------------------


def test_a_save_over_someone_elses_newer_save_is_a_conflict(officer_a, leader_a, year_2024):
    officer, leader = signed_in(officer_a), signed_in(leader_a)
    page = officer.get(field_url(year_2024)).content.decode()
    assert 'value="0"' in field_block_hidden(page, "2.3.1-version")
    # The leader saves the same leaf meanwhile.
    response = leader.post(field_url(year_2024), field2_post({"2.3.1-score": "1"}))
    assert response.status_code == 302
    assert leaf(year_2024, "2.3.1").version == 1
    # The officer saves the form opened on version 0.
    data = field2_post({"2.3.1-score": "2", "2.1.1-explanation": KEEP})
    response = officer.post(field_url(year_2024), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-testid="conflict"' in html
    conflict = html[html.index('data-testid="conflict"') :]
    conflict = conflict[: conflict.index("</div>")]
    assert LEADER_A_NAME in conflict
    assert "1,00" in conflict
    assert KEEP in html  # the officer's own input is kept
    assert 'value="2"' in field_block(html, "2.3.1-score")
    assert leaf(year_2024, "2.3.1").self_score == Decimal("1.00")
    assert leaf(year_2024, "2.1.1") is None  # all or nothing
    # The form now stands on the leader's version: saving it again, knowingly, replaces it.
    assert 'value="1"' in field_block_hidden(html, "2.3.1-version")
    data["2.3.1-version"] = "1"
    response = officer.post(field_url(year_2024), data)
    assert response.status_code == 302
    row = leaf(year_2024, "2.3.1")
    assert (row.self_score, row.version, row.updated_by) == (Decimal("2.00"), 2, officer_a)
    assert leaf(year_2024, "2.1.1").explanation == KEEP


def field_block_hidden(html, name):
    """The hidden input of ``name``."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no input {name}"
    return match[0]


# --- preview ----------------------------------------------------------------------------------


def preview(client, year, code, data):
    """What htmx posts: the leaf's inputs, its hidden version among them."""
    return client.post(entry_url("entry_preview", year, code), {f"{code}-version": "0", **data})


def test_preview_gives_the_score_with_a_decimal_comma(as_user, officer_a, year_2024):
    response = preview(
        as_user(officer_a), year_2024, "2.2.2", {"2.2.2-d_done": "3", "2.2.2-d_total": "4"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip() == "0,75"
    assert "<html" not in html  # a fragment for htmx
    assert leaf(year_2024, "2.2.2") is None  # a preview saves nothing


def test_preview_says_what_is_wrong(as_user, officer_a, year_2024):
    response = preview(
        as_user(officer_a), year_2024, "2.2.2", {"2.2.2-d_done": "5", "2.2.2-d_total": "4"}
    )
    assert response.status_code == 200
    assert "Số đã thực hiện không được lớn hơn tổng số." in response.content.decode()


def test_preview_without_enough_figures(as_user, officer_a, year_2024):
    response = preview(as_user(officer_a), year_2024, "2.2.2", {"2.2.2-d_done": "3"})
    assert "chưa đủ số liệu" in response.content.decode()


def test_preview_of_an_na_leaf(as_user, officer_a, year_2024):
    data = {"2.2.2-not_applicable": "on", "2.2.2-na_reason": "Không có"}
    response = preview(as_user(officer_a), year_2024, "2.2.2", data)
    assert "Không áp dụng" in response.content.decode()


def test_preview_of_a_manual_leaf_shows_the_typed_score(as_user, officer_a, year_2024):
    response = preview(as_user(officer_a), year_2024, "2.3.1", {"2.3.1-score": "1,25"})
    assert response.content.decode().strip() == "1,25"


def test_preview_of_an_empty_manual_leaf_says_so(as_user, officer_a, year_2024):
    response = preview(as_user(officer_a), year_2024, "2.3.1", {"2.3.1-score": ""})
    assert "chưa đủ số liệu" in response.content.decode()


def test_preview_of_a_manual_score_above_max_says_why(as_user, officer_a, year_2024):
    response = preview(as_user(officer_a), year_2024, "2.3.1", {"2.3.1-score": "3"})
    assert "không được lớn hơn điểm tối đa" in response.content.decode()


@pytest.mark.parametrize(
    ("values", "code", "shown"),
    [
        ({"2.2.2-d_done": "3", "2.2.2-d_total": "4"}, "2.2.2", "0,75"),
        ({"2.3.1-score": "1,5"}, "2.3.1", "1,50"),
    ],
)
def test_the_field_page_shows_each_leafs_stored_score(
    as_user, officer_a, year_2024, values, code, shown
):
    client = as_user(officer_a)
    assert client.post(field_url(year_2024), field2_post(values)).status_code == 302
    html = client.get(field_url(year_2024)).content.decode()
    dom_id = code.replace(".", "-")
    output = re.search(rf'<output[^>]*id="score-{dom_id}"[^>]*>(.*?)</output>', html, re.S)
    assert output[1].strip() == shown


# --- history ----------------------------------------------------------------------------------


def test_history_shows_who_changed_what_from_what_to_what(as_user, officer_a, leader_a, year_2024):
    signed_in(officer_a).post(field_url(year_2024), field2_post({"2.3.1-score": "1"}))
    signed_in(leader_a).post(
        field_url(year_2024), field2_post({"2.3.1-score": "1,5"}, versions={"2.3.1": 1})
    )
    assert leaf(year_2024, "2.3.1").version == 2
    response = as_user(officer_a).get(entry_url("leaf_history", year_2024, "2.3.1"))
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    assert OFFICER_A_NAME in table and LEADER_A_NAME in table
    # Newest first: the leader's change from 1,00 to 1,50, then the officer's first entry.
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    leader_row = next(c for c in cells if LEADER_A_NAME in "".join(c))
    assert [cell.strip() for cell in leader_row[-2:]] == ["1,00", "1,50"]
    officer_row = next(c for c in cells if OFFICER_A_NAME in "".join(c))
    assert [cell.strip() for cell in officer_row[-2:]] == ["—", "1,00"]
    assert table.index(LEADER_A_NAME) < table.index(OFFICER_A_NAME)
    back = field_url(year_2024) + "#leaf-2-3-1"
    assert f'href="{back}"' in html


def test_history_of_a_leaf_never_saved_says_so(as_user, officer_a, year_2024):
    response = as_user(officer_a).get(entry_url("leaf_history", year_2024, "2.3.1"))
    assert "Chưa có thay đổi nào." in response.content.decode()


# --- read-only --------------------------------------------------------------------------------


def _assert_read_only(html):
    assert 'data-testid="locked"' in html
    form = html.index('id="entry-form"')
    fieldset = html.index("<fieldset disabled", form)
    assert fieldset < html.index('name="2.3.1-score"') < html.index("</form>", form)
    assert "Thêm tài liệu" not in html
    assert '<button type="submit" class="btn btn-primary">' not in html


def test_submitted_assessment_is_read_only_for_the_unit(as_user, officer_a, year_2024):
    Assessment.objects.filter(pk=assessment_of(year_2024).pk).update(status="submitted")
    client = as_user(officer_a)
    html = client.get(field_url(year_2024)).content.decode()
    _assert_read_only(html)
    assert "Bản tự đánh giá đã được gửi" in html
    before = snapshot(year_2024)
    response = client.post(field_url(year_2024), field2_post({"2.3.1-score": "1"}))
    assert response.status_code == 200
    assert (
        "Bản tự đánh giá đã được gửi; chỉ lãnh đạo đơn vị có thể rút lại để sửa."
        in response.content.decode()
    )
    assert snapshot(year_2024) == before


def test_submitted_assessment_refuses_evidence_changes(as_user, officer_a, year_2024, link):
    Assessment.objects.filter(pk=assessment_of(year_2024).pk).update(status="submitted")
    client = as_user(officer_a)
    response = client.post(
        field_url(year_2024), field2_post({"ev-2.2.2-file": pdf("them.pdf")}), follow=False
    )
    assert response.status_code == 200
    response = client.post(entry_url("evidence_remove", year_2024, link.pk), follow=True)
    assert "Bản tự đánh giá đã được gửi" in response.content.decode()
    assert EvidenceLink.objects.filter(pk=link.pk).exists()
    assert Evidence.objects.filter(assessment=assessment_of(year_2024)).count() == 1


@pytest.mark.parametrize("who", ["appraiser", "interior_admin"])
def test_the_interior_department_sees_the_entry_read_only(as_user, request, year_2024, who):
    html = as_user(request.getfixturevalue(who)).get(field_url(year_2024)).content.decode()
    _assert_read_only(html)
    assert "Chỉ cán bộ của đơn vị được sửa bản tự đánh giá; bạn đang xem." in html


def test_after_the_deadline_the_entry_is_locked(client, officer_a, year_2024):
    after = year_2024.self_assessment_closes + dt.timedelta(minutes=1)
    with time_machine.travel(after, tick=False):
        client.force_login(officer_a)
        html = client.get(field_url(year_2024)).content.decode()
        _assert_read_only(html)
        assert "Thời gian tự đánh giá của năm 2024 không mở." in html
        before = snapshot(year_2024)
        response = client.post(field_url(year_2024), field2_post({"2.3.1-score": "1"}))
        assert response.status_code == 200
        assert "Thời gian tự đánh giá của năm 2024 không mở." in response.content.decode()
        assert snapshot(year_2024) == before


def test_just_before_the_deadline_the_entry_is_open(client, officer_a, year_2024):
    before = year_2024.self_assessment_closes - dt.timedelta(minutes=1)
    with time_machine.travel(before, tick=False):
        client.force_login(officer_a)
        response = client.post(field_url(year_2024), field2_post({"2.3.1-score": "1"}))
        assert response.status_code == 302
    assert leaf(year_2024, "2.3.1").self_score == Decimal("1.00")


# --- survey leaves ----------------------------------------------------------------------------


def test_survey_leaves_are_shown_without_inputs(as_user, officer_a, year_2024):
    response = as_user(officer_a).get(field_url(year_2024, "10"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Khảo sát sự hài lòng của người dân, tổ chức" in html
    assert 'id="leaf-10-1"' in html
    assert "Do Sở Nội vụ chấm" in html
    assert 'name="10.1-' not in html
    assert 'name="10.2-' not in html
    assert 'name="ev-10.1-' not in html


def test_posting_a_survey_leaf_stores_nothing(as_user, officer_a, year_2024):
    response = as_user(officer_a).post(
        field_url(year_2024, "10"), {"10.1-score": "5", "10.1-version": "0"}
    )
    assert response.status_code in (200, 302)
    assert leaf(year_2024, "10.1") is None


# --- submit page ------------------------------------------------------------------------------

SUBMIT_BUTTON = "Gửi bản tự đánh giá</button>"


def test_the_officer_has_no_submit_button(as_user, officer_a, year_2024):
    html = as_user(officer_a).get(entry_url("entry_submit", year_2024)).content.decode()
    assert "Lãnh đạo đơn vị xem lại và gửi" in html
    assert SUBMIT_BUTTON not in html


def test_the_leader_sees_what_blocks_the_submission(as_user, leader_a, year_2024):
    response = as_user(leader_a).get(entry_url("entry_submit", year_2024))
    html = response.content.decode()
    empty = (
        unit_leaf_count(year_2024)
        - LeafScore.objects.filter(
            assessment=assessment_of(year_2024), self_score__isnull=False
        ).count()
    )
    assert empty > 0
    assert f"Còn {empty} tiêu chí phải hoàn thiện trước khi gửi." in html
    assert SUBMIT_BUTTON not in html
    # Each problem links to its leaf on its field's page, inside its field's group.
    anchor = field_url(year_2024, "2") + "#leaf-2-3-1"
    assert f'href="{anchor}">2.3.1. ' in html
    anchor = field_url(year_2024, "9") + "#leaf-9-2-1"
    assert f'href="{anchor}">9.2.1. ' in html
    # ...and the anchor exists there.
    assert 'id="leaf-2-3-1"' in as_user(leader_a).get(field_url(year_2024)).content.decode()


def test_the_leader_can_submit_once_every_leaf_is_filled_and_withdraw(as_user, leader_a, year_2024):
    assessment = assessment_of(year_2024)
    for node in FrameworkNode.objects.filter(framework=year_2024.framework, filled_by="unit"):
        if node.rule:
            LeafScore.objects.update_or_create(
                assessment=assessment,
                node=node,
                defaults={"self_score": Decimal("0"), "declared": {}},
            )
    client = as_user(leader_a)
    html = client.get(entry_url("entry_submit", year_2024)).content.decode()
    assert SUBMIT_BUTTON in html
    response = client.post(entry_url("entry_submit", year_2024), {"problems_seen": "on"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.submitted_by) == ("submitted", leader_a)
    html = client.get(entry_url("entry_submit", year_2024)).content.decode()
    assert "Rút lại để sửa" in html
    withdraw = entry_url("entry_withdraw", year_2024)
    assert client.post(withdraw, {"confirm": "1"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "draft"


# --- found in review: untouched leaves, history, null users, sessions, number formats --------


def test_a_save_never_reverts_a_leaf_the_user_did_not_touch(
    as_user, officer_a, leader_a, year_2024
):
    # The officer's page showed 2.3.1 empty (version 0); the leader then saves 2.3.1 = 1.
    assert (
        signed_in(leader_a)
        .post(field_url(year_2024), field2_post({"2.3.1-score": "1"}))
        .status_code
        == 302
    )
    # The officer only changes 2.1.1; the form still carries 2.3.1 as the page showed it.
    response = as_user(officer_a).post(
        field_url(year_2024), field2_post({"2.1.1-d_done": "9", "2.1.1-d_total": "10"})
    )
    assert response.status_code == 302
    assert leaf(year_2024, "2.3.1").self_score == Decimal("1.00")
    assert leaf(year_2024, "2.1.1").declared == {"done": "9", "total": "10"}


def test_after_a_conflict_untouched_leaves_show_what_is_stored_now(
    as_user, officer_a, leader_a, year_2024
):
    signed_in(leader_a).post(
        field_url(year_2024),
        field2_post({"2.3.1-score": "1", "2.2.3-d_count": "2"}),
    )
    response = as_user(officer_a).post(field_url(year_2024), field2_post({"2.3.1-score": "2"}))
    assert response.status_code == 409
    html = response.content.decode()
    # 2.2.3 was not touched by the officer: the page now shows the leader's 2, at version 1.
    assert 'name="2.2.3-d_count" value="2"' in html
    assert 'name="2.2.3-version" value="1"' in html


def test_figures_are_stored_as_plain_numbers_and_shown_back_the_vietnamese_way(
    as_user, officer_a, year_2024
):
    client = as_user(officer_a)
    client.post(
        field_url(year_2024), field2_post({"2.1.1-d_done": "100", "2.1.1-d_total": "200,5"})
    )
    assert leaf(year_2024, "2.1.1").declared == {"done": "100", "total": "200.5"}
    html = client.get(field_url(year_2024)).content.decode()
    assert 'name="2.1.1-d_total" value="200,5"' in html


def test_a_thousands_dot_in_a_figure_is_refused(as_user, officer_a, year_2024):
    response = as_user(officer_a).post(
        field_url(year_2024), field2_post({"2.1.1-d_done": "1.500", "2.1.1-d_total": "2000"})
    )
    assert response.status_code == 200
    assert "không dùng dấu chấm phân cách hàng nghìn" in response.content.decode()
    assert leaf(year_2024, "2.1.1") is None


def test_not_applicable_discards_a_bad_figure_instead_of_refusing(as_user, officer_a, year_2024):
    response = as_user(officer_a).post(
        field_url(year_2024),
        field2_post(
            {
                "2.2.2-not_applicable": "on",
                "2.2.2-na_reason": "Không phát hiện văn bản",
                "2.2.2-d_done": "-1",
            }
        ),
    )
    assert response.status_code == 302
    stored = leaf(year_2024, "2.2.2")
    assert (stored.not_applicable, stored.declared, stored.self_score) == (True, {}, None)


def test_history_records_documents_attached_and_removed(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    client.post(field_url(year_2024), {**field2_post(), "ev-2.2.1-file": pdf("quyet-dinh.pdf")})
    link = EvidenceLink.objects.get(evidence__original_name="quyet-dinh.pdf")
    client.post(entry_url("evidence_remove", year_2024, link.pk))
    html = client.get(entry_url("leaf_history", year_2024, "2.2.1")).content.decode()
    assert "Gắn tài liệu “quyet-dinh.pdf”" in html
    assert "Gỡ tài liệu “quyet-dinh.pdf”" in html
    assert html.index("Gỡ tài liệu") < html.index("Gắn tài liệu")  # newest first


def test_the_unit_does_not_see_appraisal_changes_in_the_history_before_publication(
    as_user, officer_a, appraiser, year_2024
):
    stored = leaf(year_2024, "1.1.1")
    stored.r1_score = Decimal("0.5")
    stored.r1_reason = "Trễ hạn"
    stored.save()  # recorded in the history, as an appraisal will be
    url = entry_url("leaf_history", year_2024, "1.1.1")
    assert "Trễ hạn" not in as_user(officer_a).get(url).content.decode()
    assert "Trễ hạn" in signed_in(appraiser).get(url).content.decode()


def test_pages_still_work_when_the_person_who_saved_is_deleted(
    as_user, officer_a, leader_a, year_2024
):
    signed_in(leader_a).post(field_url(year_2024), field2_post({"2.3.1-score": "1"}))
    leader_a.delete()
    client = as_user(officer_a)
    assert client.get(field_url(year_2024)).status_code == 200
    history = client.get(entry_url("leaf_history", year_2024, "2.3.1"))
    assert history.status_code == 200
    assert "—" in history.content.decode()


def test_a_preview_after_the_session_expired_sends_the_page_to_login(client, year_2024):
    response = client.post(
        entry_url("entry_preview", year_2024, "2.2.2"),
        {"2.2.2-d_done": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=field_url(year_2024),
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith(reverse("login"))


def test_evidence_downloads_are_not_cached_and_a_missing_file_is_404(as_user, officer_a, year_2024):
    client = as_user(officer_a)
    client.post(field_url(year_2024), {**field2_post(), "ev-2.2.1-file": pdf("mat.pdf")})
    evidence = Evidence.objects.get(original_name="mat.pdf")
    url = entry_url("evidence_download", year_2024, evidence.pk)
    response = client.get(url)
    assert "no-store" in response.headers["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF
    evidence.file.storage.delete(evidence.file.name)
    assert client.get(url).status_code == 404


def test_a_document_number_typed_without_a_file_is_not_silently_dropped(
    as_user, officer_a, year_2024
):
    response = as_user(officer_a).post(
        field_url(year_2024), {**field2_post(), "ev-2.2.1-document_number": "12/KH"}
    )
    assert response.status_code == 200
    assert "Chọn tệp để tải lên" in response.content.decode()
    assert not Evidence.objects.filter(document_number="12/KH").exists()


def test_a_file_chosen_for_a_leaf_left_unsaved_is_asked_for_again(as_user, officer_a, year_2024):
    response = as_user(officer_a).post(
        field_url(year_2024),
        {**field2_post({"2.3.1-score": "9"}), "ev-2.3.1-file": pdf("lan-1.pdf")},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "hãy chọn lại tệp" in html
    # The leaves' upload forms the user left empty raise nothing.
    assert "Chọn tệp để tải lên" not in html
    assert not Evidence.objects.filter(original_name="lan-1.pdf").exists()
