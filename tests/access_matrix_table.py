"""The expected answer of every URL to every member of the test cast, GET and POST.

Read by ``tests/test_access_matrix.py``, which walks the URL configuration: a URL name with no
row here fails that test, so a new page is given its row (and so its access rule) when it is
added.

Roles, in the order of every row::

    AN  anonymous visitor
    OA  officer of unit A (Vũ Quang)             vuquang.canbo
    LA  leader of unit A                         vuquang.lanhdao
    OB  officer of unit B (Hồng Lĩnh)            honglinh.canbo
    AP  appraiser of the field (every field of 2023)   snv.thamdinh
    AX  appraiser of another field (field 3 of 2023 only; made by the test)
    AD  the Interior Department's admin          snv.quantri (staff, not superuser)
    VW  viewer                                   xem

Answers::

    200 204 403 404 405 …  that status
    L    a redirect to the login page, with ``?next=`` (the admin's own login for its pages)
    R    a redirect elsewhere (the next step of a flow, the page after a save, …)

A row's answers are written as one token (the same for every role), two tokens (anonymous,
then every signed-in role) or eight (one per role, in the order above).

The POST is empty: where a role may not act, the page refuses before reading the form; where
it may, the answer is that of an empty form (200 with its errors, or the redirect of a flow
that had nothing to do). Each request runs in a savepoint that is rolled back.

URL arguments are written as words: ``y2022`` … ``y2025`` are the demo's years of the
district level (2022 published, 2023 in appraisal, 2024 in self-assessment; 2025, made by the
test, in preparation), ``@name`` is an object the test makes or finds (see ``OBJECTS`` in the
test), anything else is itself (a unit code, a field or leaf code).
"""

ROLES = ("AN", "OA", "LA", "OB", "AP", "AX", "AD", "VW")

# Frequent answers, by who may: the unit's staff (OA LA), the Interior Department (AP AX AD),
# its admin only (AD). Nobody else is told the page exists (404).
UNIT_AND_INTERIOR = "L 200 200 404 200 200 200 404"
INTERIOR = "L 404 404 404 200 200 200 404"
ADMIN_ONLY = "L 404 404 404 403 403 200 404"  # appraisers know the year: 403, not 404
ADMIN_ONLY_NO_YEAR = "L 404 404 404 404 404 200 404"  # pages of no year: 404 for everyone else
UNIT_WRITES = "L {} {} 404 403 403 403 404"  # the unit's staff act; the Department only reads
ADMIN_WRITES = "L 404 404 404 403 403 {} 404"

# url name[@variant]: (URL arguments, GET answers, POST answers)
APP = {
    # --- sign-in, language, accounts (cchc/urls.py, units/urls.py) ---
    "login": ("", "200 R", "200 R"),  # signed in: sent on (redirect_authenticated_user)
    "logout": ("", "405", "R"),  # POST only (Django 5); then to the login page, no ?next
    "set_language": ("", "R", "R"),
    "accounts": ("", ADMIN_ONLY_NO_YEAR, ADMIN_ONLY_NO_YEAR),
    # require_POST runs before login_required: a GET is 405 even for an anonymous visitor.
    "account_reset": ("@user_b", "405", "L 404 404 404 404 404 R 404"),
    "account_active": ("@user_b", "405", "L 404 404 404 404 404 R 404"),
    # Another admin's account is for a superuser only (else an admin could read its temporary
    # password and act as them).
    "account_reset@admin-account": ("@admin_b", "405", "L 404 404 404 404 404 403 404"),
    "account_active@admin-account": ("@admin_b", "405", "L 404 404 404 404 404 403 404"),
    "password_change": ("", "L 200", "L 200"),
    # The second factor (units/two_factor): the Interior Department's accounts and the viewer
    # may set one up; unit staff are never asked (404). The cast has no device and no policy
    # requires one, so the middleware lets every request through.
    "two_factor_setup": ("", "L 404 404 404 200 200 200 200", "L 404 404 404 R R R R"),
    "two_factor_recovery": ("", "L 404 404 404 R R R R", "L 404 404 404 R R R R"),  # no app yet
    "two_factor_disable": ("", "405", "L 404 404 404 R R R R"),
    "two_factor_verify": ("", "L R", "L R"),  # nothing to verify: sent on
    "two_factor_policy": ("", ADMIN_ONLY_NO_YEAR, ADMIN_ONLY_NO_YEAR),  # empty POST: the form
    # --- notifications (scoring/views/notifications.py): each person's own ---
    "notifications": ("", "L 200", "405"),
    "notification_open": ("@notification", "L R 404 404 404 404 404 404", "405"),  # OA's own
    "notification_open@unknown": ("987654", "L 404", "405"),
    "notifications_read_all": ("", "405", "L R"),
    "notification_settings": ("", "L 200", "L 200"),  # empty POST: the form with its error
    "choose_language": ("", "405", "R"),  # records a signed-in user's choice for their mail
    # --- published pages (scoring/views/pages.py, exports.py) ---
    "home": ("", "L 200", "405"),
    "ranking@published": ("y2022", "L 200", "405"),
    "ranking@unpublished": ("y2023", INTERIOR, "405"),
    "ranking_xlsx@published": ("y2022", "L 200", "405"),
    "ranking_xlsx@unpublished": ("y2023", INTERIOR, "405"),
    "matrix_xlsx@published": ("y2022", "L 200", "405"),
    "matrix_xlsx@unpublished": ("y2023", INTERIOR, "405"),
    "scorecard@published": ("y2022 vu-quang", "L 200", "405"),
    "scorecard@unpublished": ("y2023 vu-quang", UNIT_AND_INTERIOR, "405"),
    "scorecard_xlsx@published": ("y2022 vu-quang", "L 200", "405"),
    "scorecard_xlsx@unpublished": ("y2023 vu-quang", UNIT_AND_INTERIOR, "405"),
    # Insight (issue 12): appraised scores beside the level's, so the ranking's rule on top of
    # the scorecard's: a unit's own staff wait for publication too.
    "unit_insight@published": ("y2022 vu-quang", "L 200", "405"),
    "unit_insight@unpublished": ("y2023 vu-quang", INTERIOR, "405"),
    "unit_what_if@published": ("y2022 vu-quang", "L 200", "405"),
    "unit_what_if@unpublished": ("y2023 vu-quang", INTERIOR, "405"),
    "unit_report_docx@published": ("y2022 vu-quang", "L 200", "405"),
    "unit_report_docx@unpublished": ("y2023 vu-quang", INTERIOR, "405"),
    # A level's common gaps and Word report hold appraised results: the ranking's rule. Its
    # over-claims hold every unit's self-scores: the Interior Department's alone.
    "year_gaps@published": ("y2022", "L 200", "405"),
    "year_gaps@unpublished": ("y2023", INTERIOR, "405"),
    "year_overclaim@published": ("y2022", INTERIOR, "405"),
    "year_overclaim@unpublished": ("y2023", INTERIOR, "405"),
    "year_report_docx@published": ("y2022", "L 200", "405"),
    "year_report_docx@unpublished": ("y2023", INTERIOR, "405"),
    # A background export or import: its owner's alone (unit A's officer started this one).
    "job": ("@job", "L 200 404 404 404 404 404 404", "405"),
    "job_status": ("@job", "L 200 404 404 404 404 404 404", "405"),
    "job_download": ("@job", "L 200 404 404 404 404 404 404", "405"),
    "history": ("cap-huyen", "L 200", "405"),
    "history_xlsx": ("cap-huyen", "L 200", "405"),
    # --- the unit's self-assessment, 2024 (scoring/views/entry.py, unit_import.py) ---
    "entry": ("y2024 vu-quang", "L R R 404 R R R 404", UNIT_WRITES.format("R", "R")),
    "entry_field": ("y2024 vu-quang 1", UNIT_AND_INTERIOR, UNIT_WRITES.format("R", "R")),
    # Unit B's own entry: the mirror image.
    "entry_field@unit-b": (
        "y2024 tx-hong-linh 1",
        "L 404 404 200 200 200 200 404",
        "L 404 404 R 403 403 403 404",
    ),
    # A published year: read as before; the unit's save is refused on the page (locked).
    "entry_field@published": (
        "y2022 vu-quang 1",
        UNIT_AND_INTERIOR,
        UNIT_WRITES.format("200", "200"),
    ),
    # A fragment of the page, computed from what is posted: whoever reads the entry.
    "entry_preview": ("y2024 vu-quang 1.1.1", "405", UNIT_AND_INTERIOR),
    "leaf_history": ("y2024 vu-quang 1.1.1", UNIT_AND_INTERIOR, "405"),
    "evidence_download": ("y2024 vu-quang @evidence", UNIT_AND_INTERIOR, "405"),
    "evidence_remove": ("y2024 vu-quang @link", "405", UNIT_WRITES.format("R", "R")),
    # Unit A's document asked for under unit B's address (or another year's): not found there,
    # for unit B's officer as for everyone.
    "evidence_download@unit-b-address": ("y2024 tx-hong-linh @evidence", "L 404", "405"),
    "evidence_download@other-year": ("y2023 vu-quang @evidence", "L 404", "405"),
    "evidence_remove@unit-b-address": (
        "y2024 tx-hong-linh @link",
        "405",
        "L 404 404 404 403 403 403 404",  # the Department may not write: refused first
    ),
    # Only the leader submits: the officer's empty form is refused on the page (200).
    "entry_submit": ("y2024 vu-quang", UNIT_AND_INTERIOR, UNIT_WRITES.format("200", "200")),
    # Only the leader withdraws: the officer is refused (403); the leader is sent back to the
    # entry (nothing was submitted: a message says so).
    "entry_withdraw": ("y2024 vu-quang", "405", UNIT_WRITES.format("403", "R")),
    "entry_template": ("y2024 vu-quang", UNIT_AND_INTERIOR, "405"),
    "entry_import": ("y2024 vu-quang", UNIT_WRITES.format(200, 200), UNIT_WRITES.format(200, 200)),
    # --- the explanation round's page, 2023 (flags not shown yet) ---
    # The round is not open: the unit's empty POST gets the page back with a message.
    "explanation": ("y2023 vu-quang", UNIT_AND_INTERIOR, UNIT_WRITES.format("200", "200")),
    # --- appraisal, 2023 (scoring/views/appraisal.py) ---
    "worklist": ("y2023", INTERIOR, "405"),
    # No field named: sent to the first field, whatever the method.
    "appraise": ("y2023 vu-quang", "L 404 404 404 R R R 404", "L 404 404 404 R R R 404"),
    # Field 1: the appraiser of the field and the admin save; the other field's appraiser reads.
    "appraise_field@own-field": ("y2023 vu-quang 1", INTERIOR, "L 404 404 404 R 403 R 404"),
    "appraise_field@field-3": ("y2023 vu-quang 3", INTERIOR, "L 404 404 404 R R R 404"),
    # A published year: the Department reads the appraisal; nobody appraises outside a round.
    "appraise_field@published": ("y2022 vu-quang 1", INTERIOR, "L 404 404 404 403 403 403 404"),
    # --- the Interior Department's blocks of the year (interior.py, ledger.py, audit.py) ---
    "assignments": ("y2023", ADMIN_ONLY, ADMIN_WRITES.format("200")),
    "survey": ("y2023", INTERIOR, INTERIOR),  # the service checks each cell (none posted)
    "survey_template": ("y2023", INTERIOR, "405"),
    "survey_import": ("y2023", INTERIOR, INTERIOR),
    "ledger": ("y2023 vu-quang", INTERIOR, ADMIN_WRITES.format("200")),
    "ledger_document": ("y2023 vu-quang @adjustment", INTERIOR, "405"),
    "ledger_remove": ("y2023 vu-quang @adjustment", "405", ADMIN_WRITES.format("R")),
    # Unit A's ledger entry under unit B's address: not found there.
    "ledger_document@unit-b-address": ("y2023 tx-hong-linh @adjustment", "L 404", "405"),
    "ledger_remove@unit-b-address": (
        "y2023 tx-hong-linh @adjustment",
        "405",
        ADMIN_WRITES.format(404),
    ),
    "year_log": ("y2023", INTERIOR, "405"),
    "year_log_xlsx": ("y2023", INTERIOR, "405"),
    # A unit's log: its staff (filtered) and the Department.
    "unit_log": ("y2023 vu-quang", UNIT_AND_INTERIOR, "405"),
    "unit_log_xlsx": ("y2023 vu-quang", UNIT_AND_INTERIOR, "405"),
    # --- running a year (years.py, framework_import.py, results_import.py) ---
    "year_new": ("", ADMIN_ONLY_NO_YEAR, ADMIN_ONLY_NO_YEAR),
    "year_state": ("y2023", ADMIN_ONLY, ADMIN_ONLY),
    "year_deadlines": ("y2023", "405", ADMIN_WRITES.format("R")),
    "year_reopen": ("y2022", "405", ADMIN_WRITES.format("R")),
    "year_step_back": ("y2023", "405", ADMIN_WRITES.format("R")),
    "year_settings": ("y2023", ADMIN_ONLY, ADMIN_ONLY),
    "framework_template": ("y2025", ADMIN_ONLY, "405"),
    "framework_import": ("y2025", ADMIN_ONLY, ADMIN_ONLY),
    "framework_copy": ("y2025", "405", ADMIN_WRITES.format("R")),
    "results_template": ("y2025", ADMIN_ONLY, "405"),
    "results_import": ("y2025", ADMIN_ONLY, ADMIN_ONLY),
}

# --- the Django admin ---------------------------------------------------------------------------
# Only the Interior Department's admin is staff; every other signed-in role is sent to the
# admin's login like an anonymous visitor.
STAFF = "L L L L L L {} L"

ADMIN_SITE = {
    "admin:index": ("", STAFF.format(200), STAFF.format(200)),
    # The admin's login shows its form to whoever is not staff; staff are sent to the index
    # (on a GET: a POST is a sign-in, here an empty one, so the form again).
    "admin:login": ("", "200 200 200 200 200 200 R 200", "200"),
    # A non-staff visitor of the logout URL is sent to the index (and from there to the login).
    "admin:logout": ("", "R R R R R R 405 R", "R"),
    "admin:password_change": ("", STAFF.format(200), STAFF.format(200)),
    "admin:password_change_done": ("", STAFF.format(200), STAFF.format(405)),
    "admin:autocomplete": ("", STAFF.format(403), STAFF.format(405)),  # no field asked: 403
    "admin:jsi18n": ("", STAFF.format(200), STAFF.format(405)),
    # No registered model has a public page to show.
    "admin:view_on_site": ("@unit_type @unit", STAFF.format(404), STAFF.format(404)),
    # An app of which the admin may see no model is not found.
    "admin:app_list@auth": ("auth", STAFF.format(404), STAFF.format(404)),
    "admin:app_list@axes": ("axes", STAFF.format(200), STAFF.format(200)),
    "admin:app_list@otp_totp": ("otp_totp", STAFF.format(404), STAFF.format(404)),
    "admin:app_list@otp_static": ("otp_static", STAFF.format(404), STAFF.format(404)),
    "admin:app_list@django_tasks_database": (
        "django_tasks_database",
        STAFF.format(404),
        STAFF.format(404),
    ),
    "admin:app_list@units": ("units", STAFF.format(200), STAFF.format(200)),
    "admin:app_list@scoring": ("scoring", STAFF.format(200), STAFF.format(200)),
    # Pages a model's admin adds to the five below.
    "admin:auth_user_password_change": ("@user_b", STAFF.format(403), STAFF.format(403)),
    "admin:otp_totp_totpdevice_config": ("@totp", STAFF.format(403), STAFF.format(403)),
    "admin:otp_totp_totpdevice_qrcode": ("@totp", STAFF.format(403), STAFF.format(403)),
}

# What the Interior Department's admin may do with each registered model in the admin:
# v(iew), a(dd), c(hange), d(elete). Reference lists are edited there; years, frameworks and
# scores are read only (they change through the app); accounts, groups, failure records and
# second-factor devices are for superusers only.
ADMIN_MODELS = {
    "auth.group": "",
    "auth.user": "",
    # Sign-in locks: the admin reads them and lifts one by deleting it (units.signin).
    "axes.accessattempt": "vd",
    "axes.accesslog": "v",
    "axes.accessfailurelog": "",
    "otp_totp.totpdevice": "",
    "otp_static.staticdevice": "",
    "units.unitlevel": "vac",
    "units.unit": "vac",
    "units.membership": "vac",
    "units.unitsuccession": "vacd",
    "units.secondfactorpolicy": "",  # changed on its page in the app (two_factor_policy)
    "scoring.adjustmentkind": "vac",
    "scoring.appraisalreason": "vac",
    "scoring.framework": "v",
    "scoring.assessmentyear": "v",
    "scoring.assessment": "v",
    "scoring.auditevent": "v",
    # The task queue's rows (django-tasks-db): the system administrator's, not the province's.
    "django_tasks_database.dbtaskresult": "",
}

# The five pages of each registered model: the admin's answer (GET, POST) from its rights.
ADMIN_KINDS = ("changelist", "add", "change", "delete", "history")


def admin_model_answers(kind: str, rights: str) -> tuple[str, str]:
    """The row of one of a model's five pages, from what the admin may do with the model."""
    sees = bool({"v", "c"} & set(rights))
    ok = {
        "changelist": (sees, sees),
        "add": ("a" in rights, "a" in rights),
        "change": (sees, "c" in rights),  # a view permission reads the form, cannot post it
        "delete": ("d" in rights, "d" in rights),
        "history": (sees, sees),
    }[kind]
    # An empty POST to a page the admin may use: the page again, with the form's errors.
    return tuple(STAFF.format("200" if allowed else "403") for allowed in ok)


# Answers known to be wrong today: (row, method, role) -> (the answer given, why it is wrong).
# The row above holds the right answer; the test expects the wrong one here, reports the row
# as an expected failure, and fails once the answer is right (remove the entry then).
KNOWN_WRONG: dict[tuple[str, str, str], tuple[str, str]] = {}
