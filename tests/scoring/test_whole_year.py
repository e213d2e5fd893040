"""A whole year, driven through the app's pages by the people who do each thing: created, its
deadlines and settings set, self-assessed (submitted, withdrawn, submitted again), appraised in
round 1 with a leaf flagged, explained, re-scored in round 2, published, re-opened and published
again; stepped back from appraisal to self-assessment, from explanation to appraisal, and from
final appraisal to explanation (clearing a round-2 score). After each action the year's log
holds exactly its lines: the right kind, author, path ("page", from the page posted to) and
old → new. At the end the year's log page and its Excel copy show every line, and a unit's
officer reads their own unit's log.

The year is built on a level of its own (two units, a framework of three leaves), so the
demo's state does not matter."""

import re

import pytest
from django.urls import reverse

from scoring import audit
from scoring.models import (
    AdjustmentKind,
    Assessment,
    AssessmentYear,
    AuditEvent,
    FrameworkNode,
    LeafScore,
)
from scoring.selectors.audit import RESULT_KINDS, UNIT_KINDS
from tests.scoring.export_helpers import rows, workbook
from tests.scoring.whole_year_helpers import (
    RECENT,
    Expected,
    LogReader,
    actor_name,
    browser_data,
    build_level,
    form_errors,
    in_days,
    logged,
    typed,
)

pytestmark = pytest.mark.django_db

Kind = AuditEvent.Kind


# --- acting through the pages -------------------------------------------------------------------


def act(client, user, url, data, what):
    """``user`` posts ``data`` to ``url``: the page must take it (redirect, a success message,
    no error), or the test stops here saying why it was refused."""
    client.force_login(user)
    response = client.post(url, data, follow=True)
    messages = list(response.context["messages"]) if response.context else []
    errors = [str(m) for m in messages if m.level_tag == "error"]
    assert response.redirect_chain and not errors, (
        f"{what}: refused ({response.status_code}):\n{form_errors(response)}"
    )
    assert any(m.level_tag == "success" for m in messages), f"{what}: {form_errors(response)}"
    return response


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} as {user}: {response.status_code}"
    return response


def expected(kind, user, url, changes, **other):
    return Expected(kind, user, changes, f"POST {url}", other)


def who_column(html):
    """The log page's "who" of each line, in order."""
    return re.findall(r'<tr data-testid="log-line">\s*<td[^>]*>[^<]*</td>\s*<td>([^<]*)</td>', html)


def leaf(year, unit, code):
    return LeafScore.objects.get(assessment__year=year, assessment__unit=unit, node__code=code)


def test_a_whole_year_through_every_step_and_back_is_in_its_log(client, interior_admin, appraiser):
    admin = interior_admin
    level, framework, (a, b) = build_level()
    log = LogReader()

    # The state page: where each step forward and back is taken.
    def state_page():
        return page(client, admin, reverse("year_state", args=[year.pk]))

    def step(to_state, explanation_closes=None):
        before = AssessmentYear.objects.get(pk=year.pk)
        old = before.state
        url = reverse("year_state", args=[year.pk])
        data = {"to_state": to_state, "confirm": "on"}
        if explanation_closes is not None:
            data["explanation_closes"] = typed(explanation_closes)
        state_page()
        act(client, admin, url, data, f"step {old} → {to_state}")
        changes = {"state": [old, to_state]}
        if to_state == "published":  # the moment of publication, again after a re-opening
            after = AssessmentYear.objects.get(pk=year.pk)
            changes["published_at"] = [
                audit.display(before.published_at),
                audit.display(after.published_at),
            ]
        return url, changes

    def step_back(reason, deadline=None):
        """Back one step from the state page's own form (its state, its token); returns the
        page as the admin saw it before confirming."""
        shown = state_page()
        form = shown.context["back_form"]
        data = {
            "back-from_state": form.initial["from_state"],
            "back-token": form.initial["token"],
            "back-reason": reason,
            "back-confirm": "on",
        }
        if deadline is not None:
            data["back-deadline"] = typed(deadline)
        url = reverse("year_step_back", args=[year.pk])
        act(client, admin, url, data, f"step back from {form.initial['from_state']}")
        return url, shown

    # --- preparing ------------------------------------------------------------------------------

    # 1. snv.quantri creates the year on the new-year page, with the level's framework.
    url = reverse("year_new")
    page(client, admin, url)
    act(client, admin, url, {"year": 2031, "unit_level": level.pk, "framework": framework.pk},
        "new year")  # fmt: skip
    year = AssessmentYear.objects.select_related("framework").get(unit_level=level)
    assert {x.unit for x in year.assessments.all()} == {a.unit, b.unit}
    log.expect("the new year", year, expected(Kind.YEAR_CREATE, admin, url, {
        "state": [None, "preparing"],
        "framework": [None, year.framework.name],
        "units": [None, 2],
        "tie_policy": [None, "competition"],
        "bonus_max": [None, "5.00"],
        "deduction_max": [None, "10.00"],
        "bands": [None, []],
    }, target=str(year)))  # fmt: skip
    fields = {
        n.code: n for n in FrameworkNode.objects.filter(framework=year.framework, parent=None)
    }
    survey_leaf = FrameworkNode.objects.get(framework=year.framework, code="2.1")
    assessment_a = Assessment.objects.get(year=year, unit=a.unit)
    assessment_b = Assessment.objects.get(year=year, unit=b.unit)

    # 2. snv.quantri assigns both fields to snv.thamdinh.
    url = reverse("assignments", args=[year.pk])
    shown = page(client, admin, url).context["shown"]
    data = {"shown": shown, **{f"a-{f.id}-{appraiser.id}": "on" for f in fields.values()}}
    act(client, admin, url, data, "assignments")
    log.expect("the assignments", year, *[
        expected(Kind.ASSIGNMENT, admin, url, {"appraisers": [[], [appraiser.username]]},
                 field_code=code)
        for code in ("1", "2")
    ])  # fmt: skip

    # 3. snv.quantri sets the deadlines (the year's version from the page).
    opens, closes, appraisal_closes = in_days(-1), in_days(10), in_days(20)
    final_closes, due = in_days(40), in_days(45)
    deadlines = {
        "self_assessment_opens": opens,
        "self_assessment_closes": closes,
        "appraisal_closes": appraisal_closes,
        "final_appraisal_closes": final_closes,
        "publication_due": due,
    }
    form = state_page().context["deadlines_form"]
    data = {"deadlines-version": form.initial["version"], "deadlines-explanation_closes": ""}
    data |= {f"deadlines-{name}": typed(when) for name, when in deadlines.items()}
    url = reverse("year_deadlines", args=[year.pk])
    act(client, admin, url, data, "deadlines")
    log.expect("the deadlines", year, expected(Kind.YEAR_DEADLINES, admin, url, {
        name: [None, logged(when)] for name, when in deadlines.items()
    }))  # fmt: skip

    # 4. snv.quantri previews the ranking settings (nothing saved), then saves them.
    url = reverse("year_settings", args=[year.pk])
    version = page(client, admin, url).context["form"].initial["version"]
    settings = {
        "tie_policy": "dense",
        "bonus_max": "3",
        "deduction_max": "10",
        "version": version,
        "bands-TOTAL_FORMS": "2",
        "bands-INITIAL_FORMS": "0",
        "bands-MIN_NUM_FORMS": "0",
        "bands-MAX_NUM_FORMS": "20",
        "bands-0-label": "Tốt",
        "bands-0-lower_bound": "80",
        "bands-1-label": "Khá",
        "bands-1-lower_bound": "65,5",
    }
    preview = client.post(url, {**settings, "action": "preview"})
    assert preview.status_code == 200 and preview.context["preview"] is not None, form_errors(
        preview
    )
    log.nothing("the settings' preview")
    act(client, admin, url, {**settings, "action": "save"}, "settings")
    log.expect("the settings", year, expected(Kind.YEAR_SETTINGS, admin, url, {
        "tie_policy": ["competition", "dense"],
        "bonus_max": ["5.00", "3.00"],
        "bands": [[], ["Tốt ≥ 80", "Khá ≥ 65.5"]],
    }))  # fmt: skip

    # 5. preparing → self-assessment.
    url, changes = step("self_assessment")
    log.expect("preparing → self-assessment", year, expected(Kind.YEAR_STEP, admin, url, changes))

    # --- self-assessment ------------------------------------------------------------------------

    def enter(staff, values, what):
        """The unit's officer fills field 1 on the entry page, as shown, with ``values``."""
        url = reverse("entry_field", args=[year.pk, staff.unit.code, "1"])
        shown = page(client, staff.officer, url)
        data = browser_data(*[leaf_form for _row, leaf_form, *_rest in shown.context["rows"]
                              if leaf_form is not None])  # fmt: skip
        act(client, staff.officer, url, {**data, **values}, what)
        return url

    def self_line(staff, url, code, changes):
        return expected(Kind.SELF, staff.officer, url, changes, unit_id=staff.unit.pk,
                        node_code=code, target=f"{staff.unit.name} · {code}")  # fmt: skip

    # 6. Each unit's officer enters its leaves: 1.1 typed, 1.2 a yes/no.
    url = enter(a, {"1.1-score": "2,5", "1.1-explanation": "Ban hành 5/6 văn bản",
                    "1.2-d_done": "1"}, "A's entry")  # fmt: skip
    log.expect("A's entry", year,
        self_line(a, url, "1.1", {"self_score": [None, "2.50"],
                                  "explanation": ["", "Ban hành 5/6 văn bản"]}),
        self_line(a, url, "1.2", {"declared": [{}, {"done": True}], "self_score": [None, "2.00"]}),
    )  # fmt: skip
    url = enter(b, {"1.1-score": "4", "1.2-d_done": "0"}, "B's entry")
    log.expect("B's entry", year,
        self_line(b, url, "1.1", {"self_score": [None, "4.00"]}),
        self_line(b, url, "1.2", {"declared": [{}, {"done": False}], "self_score": [None, "0.00"]}),
    )  # fmt: skip

    def submit(staff, what):
        url = reverse("entry_submit", args=[year.pk, staff.unit.code])
        page(client, staff.leader, url)
        act(client, staff.leader, url, {"problems_seen": "on"}, what)
        log.expect(what, year, expected(Kind.SUBMIT, staff.leader, url, {
            "status": ["draft", "submitted"],
            "submitted_at": [None, RECENT],
            "submitted_by": [None, staff.leader.username],
        }, unit_id=staff.unit.pk, target=staff.unit.name))  # fmt: skip

    def withdraw(staff, what):
        url = reverse("entry_withdraw", args=[year.pk, staff.unit.code])
        act(client, staff.leader, url, {"confirm": "1"}, what)
        log.expect(what, year, expected(Kind.WITHDRAW, staff.leader, url, {
            "status": ["submitted", "draft"],
            "submitted_at": [RECENT, None],
            "submitted_by": [staff.leader.username, None],
        }, unit_id=staff.unit.pk, target=staff.unit.name))  # fmt: skip

    # 7. A's leader submits, withdraws to fix 1.1, A's officer fixes it, the leader submits again.
    submit(a, "A's submission")
    withdraw(a, "A's withdrawal")
    url = enter(a, {"1.1-score": "3"}, "A's fix")
    log.expect("A's fix", year, self_line(a, url, "1.1", {"self_score": ["2.50", "3.00"]}))
    submit(a, "A's second submission")
    submit(b, "B's submission")

    # 8. self-assessment → appraisal.
    url, changes = step("appraisal")
    log.expect("self-assessment → appraisal", year, expected(Kind.YEAR_STEP, admin, url, changes))

    # 9. Back to self-assessment, with a new deadline: B's leader wants to correct 1.2.
    new_closes = in_days(12)
    url, _shown = step_back("Huyện B xin sửa tiêu chí 1.2", new_closes)
    log.expect("appraisal → self-assessment", year, expected(Kind.YEAR_STEP_BACK, admin, url, {
        "state": ["appraisal", "self_assessment"],
        "self_assessment_closes": [logged(closes), logged(new_closes)],
    }, note="Huyện B xin sửa tiêu chí 1.2"))  # fmt: skip
    withdraw(b, "B's withdrawal")
    url = enter(b, {"1.2-d_done": "1"}, "B's fix")
    log.expect("B's fix", year, self_line(b, url, "1.2", {
        "declared": [{"done": False}, {"done": True}], "self_score": ["0.00", "2.00"],
    }))  # fmt: skip
    submit(b, "B's second submission")

    # 10. self-assessment → appraisal, again.
    url, changes = step("appraisal")
    log.expect("self-assessment → appraisal again", year,
               expected(Kind.YEAR_STEP, admin, url, changes))  # fmt: skip

    # --- appraisal ------------------------------------------------------------------------------

    def appraise(staff, values, what):
        """snv.thamdinh scores field 1 of a unit on the appraisal page, as shown, with
        ``values``."""
        url = reverse("appraise_field", args=[year.pk, staff.unit.code, "1"])
        shown = page(client, appraiser, url)
        data = browser_data(*[form for _row, form in shown.context["rows"] if form is not None])
        act(client, appraiser, url, {**data, **values}, what)
        return url

    def appraisal_line(staff, url, code, changes, user=appraiser, **other):
        return expected(Kind.APPRAISAL, user, url, changes, unit_id=staff.unit.pk,
                        node_code=code, target=f"{staff.unit.name} · {code}", **other)  # fmt: skip

    # 11. Round 1: A's 1.1 is cut, with a reason, and flagged for explanation.
    url = appraise(a, {"1.1-score": "2", "1.1-reason": "missing-evidence", "1.1-flagged": "on",
                       "1.2-score": "2"}, "A's round 1")  # fmt: skip
    log.expect("A's round 1", year,
        appraisal_line(a, url, "1.1", {"r1_score": [None, "2.00"],
                                       "r1_reason": ["", "Thiếu tài liệu kiểm chứng"],
                                       "flagged": [False, True]}),
        appraisal_line(a, url, "1.2", {"r1_score": [None, "2.00"]}),
    )  # fmt: skip
    url = appraise(b, {"1.1-score": "4", "1.2-score": "2"}, "B's round 1")
    log.expect("B's round 1", year,
        appraisal_line(b, url, "1.1", {"r1_score": [None, "4.00"]}),
        appraisal_line(b, url, "1.2", {"r1_score": [None, "2.00"]}),
    )  # fmt: skip

    # 12. snv.thamdinh fills the survey grid (each cell's shown score and version sent back).
    url = reverse("survey", args=[year.pk])
    data = browser_data(page(client, appraiser, url).context["form"])
    data[f"s-{assessment_a.pk}-{survey_leaf.pk}"] = "3"
    data[f"s-{assessment_b.pk}-{survey_leaf.pk}"] = "3,5"
    act(client, appraiser, url, data, "survey")
    log.expect("the survey", year, *[
        expected(Kind.SURVEY, appraiser, url, {"r1_score": [None, score]}, unit_id=staff.unit.pk,
                 node_code="2.1", target=f"{staff.unit.name} · 2.1")
        for staff, score in ((a, "3.00"), (b, "3.50"))
    ])  # fmt: skip

    # 13. snv.quantri adds a bonus and a deduction to A's ledger.
    ledger_url = reverse("ledger", args=[year.pk, a.unit.code])
    bonus = AdjustmentKind.objects.get(code="other-bonus")
    disciplined = AdjustmentKind.objects.get(code="officials-disciplined")

    def add(values, what):
        version = page(client, admin, ledger_url).context["form"].initial["version"]
        act(client, admin, ledger_url, {"version": version, **values}, what)

    add({"kind": bonus.pk, "points": "1", "reason": "Sáng kiến cấp tỉnh"}, "a bonus")
    log.expect("a bonus", year, expected(Kind.LEDGER_ADD, admin, ledger_url, {
        "kind": [None, bonus.name],
        "direction": [None, "bonus"],
        "points": [None, "1.00"],
        "reason": [None, "Sáng kiến cấp tỉnh"],
    }, unit_id=a.unit.pk, target=f"{a.unit.name} · {bonus.name}"))  # fmt: skip
    add({"kind": disciplined.pk, "count": "2", "reason": "Hai công chức bị kiểm điểm"},
        "a deduction")  # fmt: skip
    deduction = {
        "kind": disciplined.name,
        "direction": "deduction",
        "points": "0.50",
        "count": 2,
        "reason": "Hai công chức bị kiểm điểm",
    }
    log.expect("a deduction", year, expected(Kind.LEDGER_ADD, admin, ledger_url, {
        name: [None, value] for name, value in deduction.items()
    }, unit_id=a.unit.pk))  # fmt: skip

    # 14. appraisal → explanation, with the round's deadline.
    explanation_closes = in_days(25)
    url, changes = step("explanation", explanation_closes)
    changes["explanation_closes"] = [None, logged(explanation_closes)]
    log.expect("appraisal → explanation", year, expected(Kind.YEAR_STEP, admin, url, changes))

    # 15. Back to appraisal: round 1 missed something.
    url, _shown = step_back("Xem lại điểm vòng 1")
    log.expect("explanation → appraisal", year, expected(Kind.YEAR_STEP_BACK, admin, url, {
        "state": ["explanation", "appraisal"],
    }, note="Xem lại điểm vòng 1"))  # fmt: skip

    # 16. appraisal → explanation again, the deadline moved by a day.
    later_closes = in_days(26)
    url, changes = step("explanation", later_closes)
    changes["explanation_closes"] = [logged(explanation_closes), logged(later_closes)]
    log.expect("appraisal → explanation again", year,
               expected(Kind.YEAR_STEP, admin, url, changes))  # fmt: skip

    # --- explanation ----------------------------------------------------------------------------

    # 17. A's officer answers the flagged leaf on the explanation page.
    url = reverse("explanation", args=[year.pk, a.unit.code])
    shown = page(client, a.officer, url)
    data = browser_data(*[answer for _row, answer, _evidence in shown.context["forms"]])
    assert "1.1-answer" in data and "1.2-answer" not in data  # only the flagged leaf
    act(client, a.officer, url, {**data, "1.1-answer": "Đã bổ sung quyết định số 12"},
        "A's explanation")  # fmt: skip
    log.expect("A's explanation", year, expected(Kind.EXPLANATION, a.officer, url, {
        "explanation_answer": ["", "Đã bổ sung quyết định số 12"],
    }, unit_id=a.unit.pk, node_code="1.1"))  # fmt: skip

    # 18. explanation → final appraisal.
    url, changes = step("final_appraisal")
    log.expect("explanation → final appraisal", year,
               expected(Kind.YEAR_STEP, admin, url, changes))  # fmt: skip

    # --- final appraisal ------------------------------------------------------------------------

    # 19. Round 2 re-scores A's flagged leaf.
    url = appraise(a, {"1.1-score": "3", "1.1-reason": "late"}, "A's round 2")
    log.expect("A's round 2", year, appraisal_line(a, url, "1.1", {
        "r2_score": [None, "3.00"], "r2_reason": ["", "Thực hiện trễ hạn"],
    }))  # fmt: skip

    # 20. Back to explanation: the page lists the round-2 score it clears; each is logged.
    reopened_closes = in_days(27)
    url, shown = step_back("Đơn vị A giải trình thêm", reopened_closes)
    cleared = shown.content.decode()
    cleared = cleared[cleared.index('data-testid="back-cleared"') :]
    cleared = cleared[: cleared.index("</table>")]
    assert re.search(r"<td>Xã Thử A</td><td>1\.1</td><td>3[,.]00</td>", cleared), cleared
    log.expect("final appraisal → explanation", year,
        appraisal_line(a, url, "1.1", {"r2_score": ["3.00", None],
                                       "r2_reason": ["Thực hiện trễ hạn", ""]},
                       user=admin, note="Đơn vị A giải trình thêm"),
        expected(Kind.YEAR_STEP_BACK, admin, url, {
            "state": ["final_appraisal", "explanation"],
            "explanation_closes": [logged(later_closes), logged(reopened_closes)],
        }, note="Đơn vị A giải trình thêm"),
    )  # fmt: skip
    assert leaf(year, a.unit, "1.1").r2_score is None
    assert leaf(year, a.unit, "1.1").explanation_answer == "Đã bổ sung quyết định số 12"

    # 21. explanation → final appraisal again; round 2 gives 1.1 full marks this time.
    url, changes = step("final_appraisal")
    log.expect("explanation → final appraisal again", year,
               expected(Kind.YEAR_STEP, admin, url, changes))  # fmt: skip
    url = appraise(a, {"1.1-score": "4"}, "A's round 2 again")
    log.expect(
        "A's round 2 again", year, appraisal_line(a, url, "1.1", {"r2_score": [None, "4.00"]})
    )

    # 22. final appraisal → published.
    url, changes = step("published")
    log.expect("publication", year, expected(Kind.YEAR_STEP, admin, url, changes))

    # --- published, re-opened, published again -------------------------------------------------

    # 23. Re-opened: the deduction was entered in error.
    url = reverse("year_reopen", args=[year.pk])
    state_page()
    act(client, admin, url, {"reason": "Điểm trừ của xã A nhập nhầm"}, "re-opening")
    log.expect("re-opening", year, expected(Kind.YEAR_REOPEN, admin, url, {
        "state": ["published", "final_appraisal"],
    }, note="Điểm trừ của xã A nhập nhầm"))  # fmt: skip

    # 24. snv.quantri removes the deduction: its values stay in the log, old → nothing.
    shown = page(client, admin, ledger_url).context
    (entry,) = [e for e, _effect in shown["entries"] if e.kind_id == disciplined.pk]
    url = reverse("ledger_remove", args=[year.pk, a.unit.code, entry.pk])
    act(client, admin, url, {"version": shown["form"].initial["version"]}, "ledger removal")
    log.expect("the ledger removal", year, expected(Kind.LEDGER_REMOVE, admin, url, {
        name: [value, None] for name, value in deduction.items()
    }, unit_id=a.unit.pk, target=f"{a.unit.name} · {disciplined.name}"))  # fmt: skip

    # 25. Published again.
    url, changes = step("published")
    log.expect("publication again", year, expected(Kind.YEAR_STEP, admin, url, changes))

    # --- the logs -------------------------------------------------------------------------------

    # Every line of the walk is the year's, and the year's log holds nothing else.
    assert {e.year_id for e in log.seen} == {year.pk}
    total = AuditEvent.objects.filter(year=year).count()
    assert total == len(log.seen) == 43  # the 25 steps above, some of several lines

    # The year's log page (one page of them) as snv.quantri reads it: every line, newest first,
    # each with its author and its old → new in words.
    newest_first = log.seen[::-1]
    html = page(client, admin, reverse("year_log", args=[year.pk])).content.decode()
    assert f"{total} thay đổi" in html
    assert who_column(html) == [actor_name(e.actor) for e in newest_first]
    for words in (
        "Bước</span>: Thẩm định → Tự đánh giá",  # appraisal → self-assessment
        "Điểm tự chấm</span>: 2,50 → 3,00",  # A's fix
        "Yêu cầu giải trình</span>: Không → Có",  # round 1's flag
        "Điểm thẩm định lại</span>: 3,00 → —",  # cleared by the step back
        "Giải trình của đơn vị</span>: — → Đã bổ sung quyết định số 12",
        "Điểm thưởng tối đa</span>: 5,00 → 3,00",
        "Điểm</span>: 0,50 → —",  # the removed deduction
        "Bước</span>: Đã công bố → Thẩm định lại",  # re-opened
    ):
        assert words in html, words
    assert "Đơn vị A giải trình thêm" in html  # a step back's reason

    # Its Excel copy: the same lines, in the same order, by the page.
    response = client.get(reverse("year_log_xlsx", args=[year.pk]))
    assert response.status_code == 200
    sheet = rows(workbook(response).active)[2:]  # after the title and the headings
    assert len(sheet) == total
    assert [(row[1], row[2], row[3]) for row in sheet] == [
        (actor_name(e.actor), "Trang của ứng dụng", e.source) for e in newest_first
    ]

    # A's officer reads A's log: their unit's own work with its authors and (the year being
    # published) the Department's work on the unit signed "Sở Nội vụ", never an appraiser's
    # name; nothing of B, nothing of the year's own steps.
    html = page(client, a.officer, reverse("unit_log", args=[year.pk, a.unit.code]))
    html = html.content.decode()
    visible = [e for e in newest_first if e.unit_id == a.unit.pk]
    assert {e.kind for e in visible} <= UNIT_KINDS | RESULT_KINDS
    own = [e for e in visible if e.kind in UNIT_KINDS]
    assert len(own) == 7  # 3 leaf saves, 2 submissions, a withdrawal, the answer
    assert who_column(html) == [
        actor_name(e.actor) if e.kind in UNIT_KINDS else "Sở Nội vụ" for e in visible
    ]
    assert {actor_name(a.officer), actor_name(a.leader)} <= set(who_column(html))
    assert "Ban hành 5/6 văn bản" in html and "Đã bổ sung quyết định số 12" in html
    assert appraiser.username not in html and admin.username not in html
    assert b.officer.username not in html and "Xem lại điểm vòng 1" not in html
