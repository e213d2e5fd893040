"""The leader's check before sending: problems grouped by field and kind, each group opening
onto its leaves; withdrawing a submission through a confirmation step (no script needed)."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from scoring.models import Assessment, FrameworkNode, LeafScore
from tests.scoring.test_self_assessment_services import clear, fill_everything

pytestmark = pytest.mark.django_db

VQ = "vu-quang"


def assessment_of(year):
    return Assessment.objects.select_related("year", "unit").get(year=year, unit__code=VQ)


def submit_url(year):
    return reverse("entry_submit", args=[year.pk, VQ])


def withdraw_url(year):
    return reverse("entry_withdraw", args=[year.pk, VQ])


def groups_of(html):
    """Each group's summary line as the page writes it, tags removed, and its links."""
    groups = {}
    for match in re.finditer(
        r'data-testid="group-([^"]+)">\s*<details[^>]*>\s*<summary[^>]*>(.*?)</summary>(.*?)</details>',
        html,
        re.S,
    ):
        summary = " ".join(re.sub(r"<[^>]+>", " ", match[2]).split())
        links = re.findall(r'href="([^"]+)">([0-9.]+)\. ', match[3])
        groups[match[1]] = (summary, links)
    return groups


def unit_leaves_by_field(year):
    by_field = {}
    for node in FrameworkNode.objects.filter(framework=year.framework, filled_by="unit").exclude(
        rule=""
    ):
        by_field.setdefault(node.field_code, []).append(node.code)
    return by_field


def test_warnings_are_one_line_per_field_with_a_count_and_the_leaves_behind_it(
    as_user, officer_a, leader_a, year_2024
):
    assessment = assessment_of(year_2024)
    clear(assessment)
    fill_everything(assessment, officer_a, explanation="Có thuyết minh")  # no evidence at all
    html = as_user(leader_a).get(submit_url(year_2024)).content.decode()
    groups = groups_of(html)
    expected = unit_leaves_by_field(year_2024)
    claiming = set(
        LeafScore.objects.filter(assessment=assessment, self_score__gt=0).values_list(
            "node__code", flat=True
        )
    )
    assert set(groups) == {
        f"{field}-no_evidence" for field, codes in expected.items() if set(codes) & claiming
    }
    for field, codes in expected.items():
        codes = [c for c in codes if c in claiming]
        if not codes:
            continue
        summary, links = groups[f"{field}-no_evidence"]
        assert summary == (
            f"Cảnh báo Lĩnh vực {field} · {len(codes)} tiêu chí có điểm nhưng chưa có tài liệu "
            "kiểm chứng"
        )
        assert [code for _href, code in links] == codes
        for href, code in links:
            assert href == (
                reverse("entry_field", args=[year_2024.pk, VQ, field])
                + f"#leaf-{code.replace('.', '-')}"
            )
    # One line per field instead of one per leaf; the leader may still send, once seen.
    assert html.count("<details") == len(groups) < len(claiming)
    assert f"Cảnh báo: {len(claiming)} (xem lại rồi xác nhận khi gửi)." in html
    assert "Gửi bản tự đánh giá</button>" in html


def test_blocking_groups_come_first_in_their_field_and_small_ones_are_open(
    as_user, officer_a, leader_a, year_2024
):
    assessment = assessment_of(year_2024)
    clear(assessment)
    fill_everything(assessment, officer_a)  # no evidence, no explanation
    LeafScore.objects.filter(assessment=assessment, node__code="2.3.1").delete()
    html = as_user(leader_a).get(submit_url(year_2024)).content.decode()
    field_2 = [key for key in groups_of(html) if key.startswith("2-")]
    assert field_2[0] == "2-empty"
    assert set(field_2[1:]) == {"2-no_evidence", "2-no_explanation"}
    assert re.search(r'data-testid="group-2-empty">\s*<details open>', html)
    assert "Phải sửa: 1 tiêu chí." in html
    assert "Còn 1 tiêu chí phải hoàn thiện trước khi gửi." in html
    summary, links = groups_of(html)["2-empty"]
    assert summary == "Phải sửa Lĩnh vực 2 · 1 tiêu chí chưa nhập"
    assert [code for _h, code in links] == ["2.3.1"]


def test_an_assessment_without_problems_says_so(as_user, officer_a, leader_a, year_2024):
    assessment = assessment_of(year_2024)
    clear(assessment)
    fill_everything(assessment, officer_a, explanation="Có")
    LeafScore.objects.filter(assessment=assessment, self_score__gt=0).update(self_score=0)
    html = as_user(leader_a).get(submit_url(year_2024)).content.decode()
    assert "Mọi tiêu chí đã được nhập đầy đủ" in html
    assert "<details" not in html


# --- withdrawing: a confirmation step ---------------------------------------------------------


@pytest.fixture
def submitted(officer_a, leader_a, year_2024, as_user):
    assessment = assessment_of(year_2024)
    fill_everything(assessment, officer_a)
    response = as_user(leader_a).post(submit_url(year_2024), {"problems_seen": "on"})
    assert response.status_code == 302
    return assessment


def test_the_withdraw_button_leads_to_a_confirmation_first(as_user, leader_a, year_2024, submitted):
    client = as_user(leader_a)
    html = client.get(submit_url(year_2024)).content.decode()
    assert 'data-testid="confirm-withdraw"' not in html
    assert f'href="{submit_url(year_2024)}?withdraw=1#confirm-withdraw"' in html
    html = client.get(submit_url(year_2024) + "?withdraw=1").content.decode()
    box = html[html.index('data-testid="confirm-withdraw"') :]
    box = box[: box.index("</section>")]
    assert "Rút bản tự đánh giá về để sửa?" in box
    assert f'action="{withdraw_url(year_2024)}"' in box
    assert 'name="confirm" value="1"' in box
    assert f'href="{submit_url(year_2024)}"' in box  # "Không rút"
    assert assessment_of(year_2024).status == "submitted"  # asking changed nothing


def test_a_withdrawal_without_the_confirmation_changes_nothing(
    as_user, leader_a, year_2024, submitted
):
    response = as_user(leader_a).post(withdraw_url(year_2024))
    assert response.status_code == 302
    assert response.url == submit_url(year_2024) + "?withdraw=1"
    assert assessment_of(year_2024).status == "submitted"


def test_a_confirmed_withdrawal_returns_the_assessment_to_draft(
    as_user, leader_a, year_2024, submitted
):
    client = as_user(leader_a)
    response = client.post(withdraw_url(year_2024), {"confirm": "1"}, follow=True)
    assert assessment_of(year_2024).status == "draft"
    assert "Đã rút bản tự đánh giá về để sửa." in response.content.decode()


def test_the_officer_is_refused_and_never_offered_the_confirmation(
    as_user, officer_a, year_2024, submitted
):
    client = as_user(officer_a)
    html = client.get(submit_url(year_2024) + "?withdraw=1").content.decode()
    assert 'data-testid="confirm-withdraw"' not in html
    assert "Rút lại để sửa" not in html
    assert client.post(withdraw_url(year_2024), {"confirm": "1"}).status_code == 403
    assert client.post(withdraw_url(year_2024)).status_code == 403
    assert assessment_of(year_2024).status == "submitted"


def test_no_confirmation_is_offered_for_a_draft_or_after_the_deadline(
    client, leader_a, year_2024, submitted
):
    client.force_login(leader_a)
    with time_machine.travel(year_2024.self_assessment_closes + dt.timedelta(minutes=1)):
        client.force_login(leader_a)
        html = client.get(submit_url(year_2024) + "?withdraw=1").content.decode()
        assert 'data-testid="confirm-withdraw"' not in html
        response = client.post(withdraw_url(year_2024), {"confirm": "1"}, follow=True)
        assert "Đã hết thời gian tự đánh giá, không thể rút lại." in response.content.decode()
    assert assessment_of(year_2024).status == "submitted"
    Assessment.objects.filter(pk=submitted.pk).update(status="draft")
    html = client.get(submit_url(year_2024) + "?withdraw=1").content.decode()
    assert 'data-testid="confirm-withdraw"' not in html
