"""The appraisers' fast path (issue 11): accept the unit's self-scores (one leaf, the rest of a
field, or the leaves whose claim has its evidence) and edit only the exceptions; the scoring
guide, figures and evidence beside each leaf; progress and filters; a conflict shown side by
side; the work list's order, progress and explanation sending.

Vũ Quang's field 1 of 2023 is unscored in the demo, every leaf self-scored at its maximum,
without any document (tests attach some where they need them)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scoring.audit import Kind
from scoring.models import (
    AssessmentYear,
    AuditEvent,
    Evidence,
    EvidenceLink,
    FieldAssignment,
    LeafScore,
)
from scoring.services import ConflictError
from scoring.services.appraisal import ROUND_1, SELF, AppraisalEntry
from tests.scoring.appraisal_helpers import (
    VQ,
    VQ_FIELD_1,
    appraise,
    assessment_of,
    entry,
    leaf,
    node_of,
)
from tests.scoring.test_appraisal import (
    appraisal_layer,
    form_data,
    shown_form,
)

pytestmark = pytest.mark.django_db

OTHER = "Lý do khác"
LATE = "Thực hiện trễ hạn"


@pytest.fixture
def field2_appraiser(year_2023):
    """An appraiser of another department, assigned field 2 of 2023 only."""
    user = User.objects.create_user("stp.thamdinh")
    user.groups.add(Group.objects.get(name="appraiser"))
    FieldAssignment.objects.create(year=year_2023, field=node_of(year_2023, "2"), appraiser=user)
    return user


def url(year, field="1", unit=VQ, show=""):
    base = reverse("appraise_field", args=[year.pk, unit, field])
    return f"{base}?show={show}" if show else base


def accept(year, code, source=SELF, version=None, unit=VQ):
    """An accepting entry: no score typed, the stored one taken."""
    row = leaf(year, code, unit)
    return AppraisalEntry(
        node_id=node_of(year, code).id,
        version=(row.appraisal_version if row else 0) if version is None else version,
        score=None,
        source=source,
    )


def r1(year, unit=VQ, codes=VQ_FIELD_1):
    return {code: leaf(year, code, unit).r1_score for code in codes}


def to_state(year, state, **extra):
    AssessmentYear.objects.filter(pk=year.pk).update(state=state, **extra)
    return AssessmentYear.objects.get(pk=year.pk)


def attach(year, code, *, number="", date=None, reference="", unit=VQ):
    row = leaf(year, code, unit)
    evidence = Evidence.objects.create(
        assessment=row.assessment,
        file=f"evidence/test/{code}.pdf",
        original_name=f"tai-lieu-{code}.pdf",
        content_type="application/pdf",
        size=10,
        document_number=number,
        document_date=date,
    )
    return EvidenceLink.objects.create(evidence=evidence, leaf=row, reference=reference)


def over_claim(year, code="1.1.2"):
    """1.1.2 (percent tiers, "trên 90%: 2; 70–90%: 1"): 15 of 20 declared, 2 self-scored."""
    LeafScore.objects.filter(pk=leaf(year, code).pk).update(
        declared={"done": "15", "total": "20"}, self_score=Decimal("2")
    )


def post(client, year, extra, field="1", show="", unit=VQ):
    """What the browser posts: the form as shown, with ``extra`` on top."""
    data = shown_form(client, url(year, field, unit, show))
    data["round"] = str(
        {"appraisal": 1, "final_appraisal": 2}.get(AssessmentYear.objects.get(pk=year.pk).state, "")
    )
    data.update(extra)
    return client.post(url(year, field, unit, show), data)


def messages_of(client, response):
    return client.get(response.url).content.decode() if response.status_code == 302 else ""


# --- the service: accepting ------------------------------------------------------------------


def test_accepting_a_self_score_is_round_1_by_the_appraiser_with_history_and_audit(
    appraiser, year_2023
):
    row = leaf(year_2023, "1.3.2")
    records = LeafScore.history.filter(id=row.id).count()
    assert appraise(appraiser, year_2023, accept(year_2023, "1.3.2")) == 1
    row = leaf(year_2023, "1.3.2")
    assert (row.r1_score, row.r1_reason, row.flagged) == (row.self_score, "", False)
    assert (row.appraised_by, row.appraisal_version) == (appraiser, 1)
    assert LeafScore.history.filter(id=row.id).count() == records + 1
    event = AuditEvent.objects.filter(kind=Kind.APPRAISAL, node_code="1.3.2").latest("at")
    assert event.actor == appraiser
    assert event.changes["r1_score"] == [None, "1.00"]


def test_accepting_a_self_score_below_the_max_needs_no_reason(appraiser, year_2023):
    LeafScore.objects.filter(pk=leaf(year_2023, "1.3.2").pk).update(self_score=Decimal("0.5"))
    appraise(appraiser, year_2023, accept(year_2023, "1.3.2"))
    assert (leaf(year_2023, "1.3.2").r1_score, leaf(year_2023, "1.3.2").r1_reason) == (
        Decimal("0.5"),
        "",
    )
    # Typed, the same score needs none either (nothing is cut below the claim) …
    LeafScore.objects.filter(pk=leaf(year_2023, "1.4.2").pk).update(self_score=Decimal("0.75"))
    appraise(appraiser, year_2023, entry(year_2023, "1.4.2", "0.75"))
    assert leaf(year_2023, "1.4.2").r1_score == Decimal("0.75")
    # … but anything below the claim still does.
    with pytest.raises(Exception, match="cần chọn lý do"):
        appraise(appraiser, year_2023, entry(year_2023, "2.3.1", "1.5"))


def test_accepting_keeps_the_stored_comment_and_flag(appraiser, year_2023):
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.5", "late", "Trễ", flagged=True))
    appraise(appraiser, year_2023, accept(year_2023, "1.3.2"))
    row = leaf(year_2023, "1.3.2")
    assert (row.r1_score, row.r1_reason, row.r1_comment, row.flagged) == (
        Decimal("1"),
        "",
        "Trễ",
        True,
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [("no self-score", "chưa tự chấm"), ("not applicable", "không áp dụng")],
)
def test_nothing_to_accept_is_refused_and_nothing_saved(appraiser, year_2023, case, message):
    unit = VQ
    if case == "no self-score":
        LeafScore.objects.filter(pk=leaf(year_2023, "1.3.2").pk).update(self_score=None)
        code = "1.3.2"
    else:
        unit, code = "tp-ha-tinh", "3.3.1"
    before = appraisal_layer(year_2023, unit)
    with pytest.raises(Exception, match=message):
        appraise(
            appraiser,
            year_2023,
            accept(year_2023, "1.1.1", unit=unit),
            accept(year_2023, code, unit=unit),
            unit=unit,
        )
    assert appraisal_layer(year_2023, unit) == before


def test_accepting_on_a_stale_version_is_a_conflict(appraiser, interior_admin, year_2023):
    appraise(interior_admin, year_2023, entry(year_2023, "1.3.2", "0.5", "late"))
    with pytest.raises(ConflictError):
        appraise(appraiser, year_2023, accept(year_2023, "1.3.2", version=0))
    assert leaf(year_2023, "1.3.2").r1_score == Decimal("0.5")


def test_keeping_round_1_is_for_round_2_only(appraiser, year_2023):
    with pytest.raises(Exception, match="Không chấp nhận được"):
        appraise(appraiser, year_2023, accept(year_2023, "1.3.2", source=ROUND_1))
    assert leaf(year_2023, "1.3.2").r1_score is None


def test_round_2_keeps_round_1_or_takes_the_self_score(appraiser, year_2023):
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.5", "late", flagged=True),
        entry(year_2023, "1.4.2", "0.25", "late", flagged=True),
    )
    year = to_state(year_2023, "final_appraisal")
    appraise(
        appraiser,
        year,
        accept(year, "1.3.2", source=ROUND_1),
        accept(year, "1.4.2", source=SELF),
        round_no=2,
    )
    kept, taken = leaf(year, "1.3.2"), leaf(year, "1.4.2")
    # Round 1's reason stands for a kept score: round 2 needs none.
    assert (kept.r2_score, kept.r2_reason, kept.final_score) == (Decimal("0.5"), "", Decimal("0.5"))
    assert (taken.r2_score, taken.final_score) == (Decimal("1"), Decimal("1"))


# --- the page: accept buttons ----------------------------------------------------------------


def test_accepting_one_leaf_saves_what_was_typed_elsewhere_too(as_user, appraiser, year_2023):
    client = as_user(appraiser)
    response = post(
        client,
        year_2023,
        {"accept": "self:1.3.2", "1.4.2-score": "0,5", "1.4.2-reason": "late"},
    )
    assert response.status_code == 302
    assert response.url == url(year_2023) + "#leaf-1-3-2"  # back where the appraiser was
    assert leaf(year_2023, "1.3.2").r1_score == Decimal("1")
    assert (leaf(year_2023, "1.4.2").r1_score, leaf(year_2023, "1.4.2").r1_reason) == (
        Decimal("0.5"),
        LATE,
    )
    assert leaf(year_2023, "1.1.1").r1_score is None  # nothing else
    html = messages_of(client, response)
    assert "Đã chấp nhận điểm tự chấm của 1 tiêu chí." in html
    assert "Đã lưu điểm thẩm định." in html
    assert 'data-testid="accepted-1-3-2"' in html  # no accept button any more


def test_the_accepted_leaf_takes_its_self_score_whatever_was_typed_into_it(
    as_user, appraiser, year_2023
):
    client = as_user(appraiser)
    response = post(client, year_2023, {"accept": "self:1.3.2", "1.3.2-score": "mười"})
    assert response.status_code == 302
    assert leaf(year_2023, "1.3.2").r1_score == Decimal("1")


def test_accepting_the_rest_of_a_field_and_editing_the_exception(as_user, appraiser, year_2023):
    """The appraiser's day: one exception typed, the rest accepted, one post."""
    appraise(appraiser, year_2023, entry(year_2023, "1.1.1", "0.5", "late"))  # scored before
    over_claim(year_2023)
    other_unit = appraisal_layer(year_2023, "tx-hong-linh")
    client = as_user(appraiser)
    response = post(
        client,
        year_2023,
        {"accept": "rest", "1.5.1-score": "0", "1.5.1-reason": "target-not-reached"},
    )
    assert response.status_code == 302
    scores = r1(year_2023)
    assert scores["1.1.1"] == Decimal("0.5")  # a score already given is not overwritten
    assert scores["1.5.1"] == Decimal("0")  # what was typed wins
    assert scores["1.1.2"] is None  # the over-claim is left to the appraiser
    for code in ["1.2.1", "1.3.1", "1.3.2", "1.4.1", "1.4.2"]:
        assert scores[code] == Decimal(VQ_FIELD_1[code]), code
    html = messages_of(client, response)
    assert "Đã chấp nhận điểm tự chấm của 5 tiêu chí." in html
    assert "Chưa chấp nhận 1 tiêu chí tự chấm cao hơn điểm tính từ số liệu kê khai" in html
    # Other fields and units are untouched.
    assert appraisal_layer(year_2023, "tx-hong-linh") == other_unit
    assert leaf(year_2023, "2.3.1").appraisal_version == 0


def test_accepting_where_the_evidence_is_complete(as_user, appraiser, year_2023):
    attach(year_2023, "1.1.1")
    attach(year_2023, "1.3.2")
    LeafScore.objects.filter(pk=leaf(year_2023, "1.4.2").pk).update(self_score=Decimal("0"))
    client = as_user(appraiser)
    html = client.get(url(year_2023)).content.decode()
    assert "Chấp nhận điểm tự chấm: 3 tiêu chí chưa chấm có đủ tài liệu" in html
    response = post(client, year_2023, {"accept": "evidence"})
    assert response.status_code == 302
    scores = r1(year_2023)
    # With a document, or claiming nothing: accepted; claimed without evidence: not.
    assert {code for code, score in scores.items() if score is not None} == {
        "1.1.1",
        "1.3.2",
        "1.4.2",
    }
    assert scores["1.4.2"] == Decimal("0")
    assert "Chưa chấp nhận 5 tiêu chí tự chấm điểm nhưng không có tài liệu" in messages_of(
        client, response
    )


def test_bulk_acceptance_skips_survey_and_not_applicable_leaves(as_user, appraiser, year_2023):
    unit = "tp-ha-tinh"  # 3.3.1 not applicable; fully appraised in the demo
    LeafScore.objects.filter(
        assessment__year=year_2023, assessment__unit__code=unit, node__code__startswith="3."
    ).update(r1_score=None, r1_reason="")
    client = as_user(appraiser)
    assert post(client, year_2023, {"accept": "rest"}, field="3", unit=unit).status_code == 302
    assert leaf(year_2023, "3.3.1", unit).r1_score is None
    assert leaf(year_2023, "3.1.1", unit).r1_score == leaf(year_2023, "3.1.1", unit).self_score
    # The survey has no accept button at all.
    html = client.get(url(year_2023, "10")).content.decode()
    assert 'value="rest"' in html and "accept-10-" not in html


def test_nothing_left_to_accept_says_so(as_user, appraiser, year_2023):
    client = as_user(appraiser)
    before = appraisal_layer(year_2023)
    response = post(client, year_2023, {"accept": "rest"}, field="2")  # appraised in the demo
    assert response.status_code == 302
    assert "Không có tiêu chí nào để chấp nhận." in messages_of(client, response)
    assert appraisal_layer(year_2023) == before


def test_round_2_page_keeps_round_1_where_the_unit_did_not_explain(as_user, appraiser, year_2023):
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.5", "late", flagged=True),
        entry(year_2023, "1.4.2", "0.5", "late", flagged=True),
    )
    LeafScore.objects.filter(pk=leaf(year_2023, "1.4.2").pk).update(
        explanation_answer="Đã bổ sung biên bản."
    )
    year = to_state(year_2023, "final_appraisal")
    client = as_user(appraiser)
    html = client.get(url(year)).content.decode()
    assert "Giữ điểm vòng 1: 1 tiêu chí đơn vị không giải trình" in html
    assert 'value="keep:1.3.2"' in html and 'value="self:1.4.2"' in html
    assert 'value="rest"' not in html
    assert post(client, year, {"accept": "unexplained"}).status_code == 302
    assert leaf(year, "1.3.2").r2_score == Decimal("0.5")
    assert leaf(year, "1.4.2").r2_score is None  # explained: the appraiser reads it
    assert post(client, year, {"accept": "self:1.4.2"}).status_code == 302
    assert leaf(year, "1.4.2").r2_score == Decimal("1")


# --- the page: bad input ---------------------------------------------------------------------


def test_accepting_on_a_field_not_assigned_is_refused(as_user, field2_appraiser, year_2023):
    client = as_user(field2_appraiser)
    before = appraisal_layer(year_2023)
    data = {"round": "1", "accept": "self:1.3.2", "1.3.2-version": "0"}
    assert client.post(url(year_2023, "1"), data).status_code == 403
    assert client.post(url(year_2023, "1"), {"round": "1", "accept": "rest"}).status_code == 403
    assert appraisal_layer(year_2023) == before


@pytest.mark.parametrize("action", ["self:2.3.1", "self:1.3", "self:nothing", "drop-all", ""])
def test_accepting_a_leaf_not_on_the_page_or_an_unknown_action_is_a_bad_request(
    as_user, appraiser, year_2023, action
):
    client = as_user(appraiser)
    before = appraisal_layer(year_2023)
    response = client.post(url(year_2023), {"round": "1", "accept": action or "keep:"})
    assert response.status_code == 400
    assert appraisal_layer(year_2023) == before


def test_accepting_a_leaf_the_unit_marked_not_applicable_says_why(as_user, appraiser, year_2023):
    client = as_user(appraiser)
    unit = "tp-ha-tinh"
    before = appraisal_layer(year_2023, unit)
    response = client.post(
        url(year_2023, "3", unit), {"round": "1", "accept": "self:3.3.1", "3.3.1-version": "0"}
    )
    assert response.status_code == 200
    assert "3.3.1: Đơn vị đã đánh dấu không áp dụng." in response.content.decode()
    assert appraisal_layer(year_2023, unit) == before


@pytest.mark.parametrize(
    ("state", "action"),
    [("appraisal", "keep:1.3.2"), ("appraisal", "unexplained"), ("final_appraisal", "rest")],
)
def test_an_action_of_the_other_round_is_refused(as_user, appraiser, year_2023, state, action):
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.5", "late", flagged=True))
    year = to_state(year_2023, state)
    before = appraisal_layer(year)
    client = as_user(appraiser)
    round_no = "1" if state == "appraisal" else "2"
    response = client.post(url(year), {"round": round_no, "accept": action})
    assert response.status_code == 302
    assert "chưa lưu gì" in messages_of(client, response)
    assert appraisal_layer(year) == before


def test_a_round_1_page_posted_in_round_2_saves_nothing(as_user, appraiser, year_2023):
    """A page opened in round 1 and sent after the year moved on: its scores are round 1's,
    and must not land in round 2."""
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.5", "late", flagged=True))
    client = as_user(appraiser)
    data = shown_form(client, url(year_2023))
    data.update({"round": "1", "1.3.2-score": "0,75", "1.3.2-reason": "late"})
    year = to_state(year_2023, "final_appraisal")
    before = appraisal_layer(year)
    response = client.post(url(year), data)
    assert response.status_code == 302
    assert "Kỳ đánh giá đã sang vòng 2 sau khi bạn mở trang: chưa lưu gì." in messages_of(
        client, response
    )
    assert appraisal_layer(year) == before


# --- the page: a conflict --------------------------------------------------------------------


def test_a_conflict_shows_their_values_beside_mine_and_saving_again_replaces_theirs(
    as_user, appraiser, interior_admin, year_2023
):
    client = as_user(appraiser)
    data = shown_form(client, url(year_2023))
    appraise(
        interior_admin,
        year_2023,
        entry(year_2023, "1.3.2", "0.25", "other", "Biên bản chưa ký", flagged=True),
    )
    before = appraisal_layer(year_2023)
    data.update(
        {
            "round": "1",
            "1.3.2-score": "0,5",
            "1.3.2-reason": "late",
            "1.3.2-comment": "Nộp muộn",
            "1.1.1-score": "1",
        }
    )
    response = client.post(url(year_2023), data)
    assert response.status_code == 409
    assert appraisal_layer(year_2023) == before  # nothing saved, not even 1.1.1
    html = response.content.decode()
    assert "có người khác vừa thẩm định 1 tiêu chí (1.3.2)" in html
    box = html[html.index('data-testid="conflict-1-3-2"') :]
    box = box[: box.index("</div>")]
    who = interior_admin.get_full_name() or interior_admin.username
    assert f"{who} đã thẩm định tiêu chí này lúc" in box
    assert re.search(r'data-testid="their-score">0,25<', box)
    assert re.search(r'data-testid="my-score">0,5<', box)
    assert "Lý do khác" in box and "Biên bản chưa ký" in box  # theirs
    assert LATE in box and "Nộp muộn" in box  # mine
    # My typed values stay in the form, standing on their version; 1.1.1 too.
    shown = form_data(html)
    assert shown["1.3.2-score"] == "0,5"
    assert shown["1.3.2-comment"] == "Nộp muộn"
    assert shown["1.3.2-version"] == str(leaf(year_2023, "1.3.2").appraisal_version)
    assert shown["1.1.1-score"] == "1"
    # Saving again replaces theirs, knowingly.
    shown["round"] = "1"
    assert client.post(url(year_2023), shown).status_code == 302
    row = leaf(year_2023, "1.3.2")
    assert (row.r1_score, row.r1_reason, row.r1_comment) == (Decimal("0.5"), LATE, "Nộp muộn")
    assert row.appraised_by == appraiser
    assert leaf(year_2023, "1.1.1").r1_score == Decimal("1")


def test_an_acceptance_refused_by_a_conflict_is_kept_in_the_form(
    as_user, appraiser, interior_admin, year_2023
):
    client = as_user(appraiser)
    data = shown_form(client, url(year_2023))
    appraise(interior_admin, year_2023, entry(year_2023, "1.3.2", "0.25", "late"))
    data.update({"round": "1", "accept": "self:1.3.2"})
    response = client.post(url(year_2023), data)
    assert response.status_code == 409
    assert leaf(year_2023, "1.3.2").r1_score == Decimal("0.25")
    shown = form_data(response.content.decode())
    assert shown["1.3.2-score"] == "1"  # the self-score the appraiser meant to accept


# --- the page: what is beside each leaf ------------------------------------------------------


def test_each_leaf_shows_its_guide_figures_self_score_evidence_and_explanation(
    as_user, appraiser, year_2023
):
    attach(year_2023, "1.1.2", number="15/KH-UBND", date=dt.date(2023, 1, 10), reference="Mục 2")
    html = as_user(appraiser).get(url(year_2023)).content.decode()
    guide = html[html.index('data-testid="guide-1-1-2"') :]
    guide = guide[: guide.index("</div>")]
    assert "Trên 90%: 2 điểm" in guide and "Từ 70% đến 90%: 1 điểm" in guide
    # The written guide too.
    assert "Trên 90% nhiệm vụ: 2 điểm; từ 70% đến 90%: 1 điểm; dưới 70%: 0 điểm." in guide
    # A leaf with no written guide still has the rule's.
    assert "Người thẩm định chấm trực tiếp, từ 0 đến 1 điểm, theo bước 0,25 điểm" in html
    assert "Số đã thực hiện: 20; Tổng số: 20" in html
    assert re.search(r'data-testid="self-1-1-2">\s*2,00\s*<', html)
    evidence = html[html.index('data-testid="evidence-1-1-2"') :]
    evidence = evidence[: evidence.index("</li>")]
    assert "tai-lieu-1.1.2.pdf" in evidence
    assert "số 15/KH-UBND ngày 10/01/2023 · Mục 2" in evidence
    assert "Có tài liệu kiểm chứng kèm theo." in html  # the unit's explanation
    # The score input brings up the phone's number pad; Enter moves on (appraisal.js).
    assert re.search(r'<input[^>]*name="1\.3\.2-score"[^>]*inputmode="decimal"', html)
    assert "js/appraisal.js" in html


def test_an_over_claim_is_marked_with_what_the_rule_gives(as_user, appraiser, year_2023):
    over_claim(year_2023)
    html = as_user(appraiser).get(url(year_2023)).content.decode()
    assert 'data-testid="over-claim-1-1-2"' in html
    assert re.search(r'data-testid="rule-1-1-2">1,00<', html)
    assert 'data-testid="over-claim-1-1-1"' not in html
    assert 'data-testid="rule-1-1-1"' not in html  # agrees with its figures: nothing to say


def test_the_first_submit_button_saves(as_user, appraiser, year_2023):
    """Enter in a field the script does not handle submits with the form's first button: it
    must be the save, never an accept."""
    html = as_user(appraiser).get(url(year_2023)).content.decode()
    form = html[html.index('id="appraisal-form"') :]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'name="accept"' not in first and 'type="submit"' in first


# --- the page: progress and filters ----------------------------------------------------------


def test_progress_per_field_tab(as_user, appraiser, year_2023):
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.5", "late", flagged=True),
        entry(year_2023, "1.1.1", "1"),
    )
    html = as_user(appraiser).get(url(year_2023)).content.decode()
    assert "Đã chấm: 2 · Còn phải chấm: 6 · Yêu cầu giải trình: 1" in html
    tab = html[html.index('data-testid="tab-1"') :]
    tab = tab[: tab.index("</a>")]
    assert "2/8" in tab and "1<span" in tab
    tab2 = html[html.index('data-testid="tab-2"') :]
    assert "5/5" in tab2[: tab2.index("</a>")]


def test_progress_in_round_2_counts_the_flagged_leaves(as_user, appraiser, year_2023):
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.5", "late", flagged=True),
        entry(year_2023, "1.4.2", "0.5", "late", flagged=True),
    )
    year = to_state(year_2023, "final_appraisal")
    appraise(appraiser, year, entry(year, "1.3.2", "1"), round_no=2)
    html = as_user(appraiser).get(url(year)).content.decode()
    assert "Đã chấm: 1 · Còn phải chấm: 1 · Yêu cầu giải trình: 2" in html


@pytest.mark.parametrize(
    ("show", "codes"),
    [
        # Scored or not: a claim without a document stays worth a look.
        ("no-evidence", {"1.1.1", "1.1.2", "1.2.1", "1.3.1", "1.4.1", "1.4.2", "1.5.1"}),
        ("over-claim", {"1.1.2"}),
        ("to-score", set(VQ_FIELD_1) - {"1.1.1"}),
    ],
)
def test_a_filter_shows_only_those_leaves(as_user, appraiser, year_2023, show, codes):
    attach(year_2023, "1.3.2")
    LeafScore.objects.filter(pk=leaf(year_2023, "1.1.1").pk).update(r1_score=Decimal("1"))
    over_claim(year_2023)
    html = as_user(appraiser).get(url(year_2023, show=show)).content.decode()
    shown = set(re.findall(r'<section class="card mb-3" id="leaf-([\d-]+)"', html))
    assert shown == {code.replace(".", "-") for code in codes}
    assert f"({len(codes)})" in html  # the filter's count


def test_a_filtered_page_saves_only_its_own_leaves(as_user, appraiser, year_2023):
    over_claim(year_2023)
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.5", "late", "Trễ"))
    client = as_user(appraiser)
    response = post(
        client,
        year_2023,
        {"1.1.2-score": "1", "1.1.2-reason": "target-not-reached"},
        show="over-claim",
    )
    assert response.status_code == 302
    assert response.url == url(year_2023, show="over-claim")
    assert leaf(year_2023, "1.1.2").r1_score == Decimal("1")
    # The leaves the filter hid keep their appraisal (their inputs were not on the page).
    row = leaf(year_2023, "1.3.2")
    assert (row.r1_score, row.r1_comment) == (Decimal("0.5"), "Trễ")


def test_an_unknown_filter_shows_everything(as_user, appraiser, year_2023):
    html = as_user(appraiser).get(url(year_2023, show="<script>")).content.decode()
    assert html.count('<section class="card mb-3" id="leaf-') == len(VQ_FIELD_1)


# --- cost --------------------------------------------------------------------------------------


def _queries(client, path, data):
    with CaptureQueriesContext(connection) as context:
        response = client.post(path, data)
    assert response.status_code == 302, re.findall(r"Chưa lưu[^<]*", response.content.decode())
    return len(context.captured_queries)


def test_accepting_costs_the_same_whatever_the_number_of_leaves(as_user, appraiser, year_2023):
    client = as_user(appraiser)
    # Field 1 has 8 unscored leaves; with 6 of them scored first only 2 are accepted.
    many = _queries(client, url(year_2023), {"round": "1", "accept": "rest"})
    LeafScore.objects.filter(
        assessment=assessment_of(year_2023), node__code__startswith="1."
    ).update(r1_score=None, appraisal_version=0)
    appraise(
        appraiser, year_2023, *(entry(year_2023, c, VQ_FIELD_1[c]) for c in list(VQ_FIELD_1)[:6])
    )
    few = _queries(client, url(year_2023), {"round": "1", "accept": "rest"})
    assert few == many
    assert all(score is not None for score in r1(year_2023).values())


# --- the work list ---------------------------------------------------------------------------


def test_worklist_shows_what_is_left_to_score(as_user, appraiser, year_2023):
    html = as_user(appraiser).get(reverse("worklist", args=[year_2023.pk])).content.decode()
    row = html[html.index('data-testid="unit-vu-quang"') :]
    assert re.search(r'data-testid="to-score">8<', row[: row.index("</tr>")])
    row = html[html.index('data-testid="unit-can-loc"') :]
    assert re.search(r'data-testid="to-score">0<', row[: row.index("</tr>")])
    assert "Gửi giải trình" not in html  # not the explanation round
    assert "Xếp hạng (tạm tính)" in html


def test_worklist_says_whether_the_explanations_were_sent(as_user, appraiser, year_2023):
    appraise(appraiser, year_2023, entry(year_2023, "1.3.2", "0.5", "late", flagged=True))
    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.5", "late", flagged=True, unit="tx-hong-linh"),
        unit="tx-hong-linh",
    )
    year = to_state(
        year_2023, "explanation", explanation_closes=timezone.now() + dt.timedelta(days=3)
    )
    sent_at = timezone.now()
    assessment_of(year, "tx-hong-linh").__class__.objects.filter(
        pk=assessment_of(year, "tx-hong-linh").pk
    ).update(explanation_submitted_at=sent_at)
    html = as_user(appraiser).get(reverse("worklist", args=[year.pk])).content.decode()

    def sending(unit):
        row = html[html.index(f'data-testid="unit-{unit}"') :]
        row = row[: row.index("</tr>")]
        return re.search(r'data-testid="sending">(.*?)</td>', row, re.S).group(1)

    assert sending("vu-quang") == "Giải trình đang soạn, chưa gửi"
    assert sending("tx-hong-linh").startswith("Đã gửi giải trình")
    assert sending("can-loc") == "—"  # asked nothing


def test_published_worklist_links_the_ranking_without_provisional(as_user, appraiser, year_2022):
    html = as_user(appraiser).get(reverse("worklist", args=[year_2022.pk])).content.decode()
    assert "Xếp hạng (tạm tính)" not in html
    assert re.search(r">Xếp hạng</a>", html)


def test_a_post_naming_only_some_leaves_leaves_the_others_alone(as_user, appraiser, year_2023):
    """Inputs not posted are not inputs cleared: field 2 is appraised in the demo, and a post
    with only 2.3.1 changes only 2.3.1."""
    before = {row[0]: row for row in appraisal_layer(year_2023)}
    data = {"round": "1", "2.3.1-version": "0", "2.3.1-score": "1,5", "2.3.1-reason": "late"}
    assert as_user(appraiser).post(url(year_2023, "2"), data).status_code == 302
    after = {row[0]: row for row in appraisal_layer(year_2023)}
    assert after["2.3.1"][1] == Decimal("1.5")
    assert {code: row for code, row in after.items() if code != "2.3.1"} == {
        code: row for code, row in before.items() if code != "2.3.1"
    }


def test_worklist_counts_what_is_left_in_round_2(appraiser, year_2023):
    from scoring import selectors

    appraise(
        appraiser,
        year_2023,
        entry(year_2023, "1.3.2", "0.5", "late", flagged=True),
        entry(year_2023, "1.4.2", "0.5", "late", flagged=True),
    )
    year = to_state(year_2023, "final_appraisal")
    appraise(appraiser, year, entry(year, "1.3.2", "1"), round_no=2)
    item = next(i for i in selectors.worklist(year) if i.assessment.unit.code == VQ)
    assert (item.flagged, item.reappraised, item.to_score) == (2, 1, 1)
    assert item.explanation_sending == ""  # only during the explanation round


def test_a_bulk_acceptance_with_nothing_to_take_still_saves_what_was_typed(
    as_user, appraiser, year_2023
):
    client = as_user(appraiser)
    response = post(client, year_2023, {"accept": "evidence", "1.3.2-score": "1"})
    assert response.status_code == 302
    assert leaf(year_2023, "1.3.2").r1_score == Decimal("1")
    assert r1(year_2023)["1.1.1"] is None  # no document anywhere: nothing accepted
    html = messages_of(client, response)
    assert "Không có tiêu chí nào để chấp nhận." in html
    assert "Đã lưu điểm thẩm định." in html
    assert "Đã chấp nhận" not in html
