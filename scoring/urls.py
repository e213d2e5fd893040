from django.urls import path

from .views import (
    appraisal,
    audit,
    entry,
    explanation,
    exports,
    framework_import,
    insight,
    interior,
    jobs,
    ledger,
    notifications,
    pages,
    results_import,
    unit_import,
    word,
    year_insight,
    years,
)

ENTRY = "years/<int:year_id>/units/<slug:unit_code>/self-assessment/"
APPRAISE = "years/<int:year_id>/units/<slug:unit_code>/appraisal/"

urlpatterns = [
    path("", pages.home, name="home"),
    path("years/<int:year_id>/ranking/", pages.ranking, name="ranking"),
    path("years/<int:year_id>/ranking.xlsx", exports.ranking_xlsx, name="ranking_xlsx"),
    path("years/<int:year_id>/matrix.xlsx", exports.matrix_xlsx, name="matrix_xlsx"),
    path("years/<int:year_id>/units/<slug:unit_code>/", pages.scorecard, name="scorecard"),
    path(
        "years/<int:year_id>/units/<slug:unit_code>/scorecard.xlsx",
        exports.scorecard_xlsx,
        name="scorecard_xlsx",
    ),
    path("levels/<slug:level_code>/history/", pages.history, name="history"),
    path("levels/<slug:level_code>/history.xlsx", exports.history_xlsx, name="history_xlsx"),
    path(ENTRY, entry.entry_field, name="entry"),
    path(ENTRY + "fields/<str:field_code>/", entry.entry_field, name="entry_field"),
    path(ENTRY + "preview/<str:node_code>/", entry.entry_preview, name="entry_preview"),
    path(ENTRY + "leaves/<str:node_code>/history/", entry.leaf_history, name="leaf_history"),
    path(ENTRY + "evidence/<int:evidence_id>/", entry.evidence_download, name="evidence_download"),
    path(ENTRY + "links/<int:link_id>/remove/", entry.evidence_remove, name="evidence_remove"),
    path(ENTRY + "submit/", entry.entry_submit, name="entry_submit"),
    path(ENTRY + "withdraw/", entry.entry_withdraw, name="entry_withdraw"),
    path(
        "years/<int:year_id>/units/<slug:unit_code>/explanation/",
        explanation.explanation,
        name="explanation",
    ),
    path("years/<int:year_id>/appraisal/", appraisal.worklist, name="worklist"),
    path("years/new/", years.year_new, name="year_new"),
    path("years/<int:year_id>/state/", years.year_state, name="year_state"),
    path("years/<int:year_id>/deadlines/", years.year_deadlines, name="year_deadlines"),
    path("years/<int:year_id>/reopen/", years.year_reopen, name="year_reopen"),
    path("years/<int:year_id>/step-back/", years.year_step_back, name="year_step_back"),
    path("years/<int:year_id>/settings/", years.year_settings, name="year_settings"),
    path("years/<int:year_id>/log/", audit.year_log, name="year_log"),
    path("years/<int:year_id>/log.xlsx", audit.year_log_xlsx, name="year_log_xlsx"),
    path("years/<int:year_id>/units/<slug:unit_code>/log/", audit.unit_log, name="unit_log"),
    path(
        "years/<int:year_id>/units/<slug:unit_code>/log.xlsx",
        audit.unit_log_xlsx,
        name="unit_log_xlsx",
    ),
    path("years/<int:year_id>/assignments/", interior.assignments, name="assignments"),
    path("years/<int:year_id>/survey/", interior.survey, name="survey"),
    path("years/<int:year_id>/units/<slug:unit_code>/ledger/", ledger.ledger, name="ledger"),
    path(
        "years/<int:year_id>/units/<slug:unit_code>/ledger/<int:entry_id>/document/",
        ledger.ledger_document,
        name="ledger_document",
    ),
    path(
        "years/<int:year_id>/units/<slug:unit_code>/ledger/<int:entry_id>/remove/",
        ledger.ledger_remove,
        name="ledger_remove",
    ),
    path(APPRAISE, appraisal.appraise_field, name="appraise"),
    path(APPRAISE + "fields/<str:field_code>/", appraisal.appraise_field, name="appraise_field"),
    # A person's notifications (the bell) and e-mail preferences; the language switch, which
    # records the language of their mails.
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:notification_id>/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/settings/",
        notifications.notification_settings,
        name="notification_settings",
    ),
    path("language/", notifications.choose_language, name="choose_language"),
]

# Excel imports: each module lists its own pages.
urlpatterns += framework_import.urlpatterns + unit_import.urlpatterns + results_import.urlpatterns
# Insight (issue 12): a unit's lost points and what it takes; a level's common gaps and
# over-claims; Word reports. Each module lists its own pages.
urlpatterns += insight.urlpatterns + year_insight.urlpatterns + word.urlpatterns
# Background exports and imports (issue 13): a job's page, status and file.
urlpatterns += jobs.urlpatterns
