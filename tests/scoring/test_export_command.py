"""`manage.py export_report`: any report to a file with full rights; clear errors that write
nothing."""

import os

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from scoring.management.commands.export_report import Command

from .export_helpers import rows

pytestmark = pytest.mark.django_db


def export(*args, **options):
    call_command("export_report", *args, **options)


def test_the_help_describes_every_option():
    text = Command().create_parser("manage.py", "export_report").format_help()
    for option in ("--year", "--level", "--unit", "--output", "--language"):
        assert option in text
    for identifier in ("ranking", "matrix", "scorecard", "history"):
        assert identifier in text
    assert "{vi,en}" in text


def test_an_unpublished_matrix_with_full_rights_in_english(year_2023, tmp_path, capsys):
    output = tmp_path / "matrix.xlsx"
    export("matrix", year=2023, level="cap-huyen", output=str(output), language="en")
    book = load_workbook(output)
    values = rows(book.worksheets[0])
    assert values[1][0] == "Provisional, not yet published"
    assert values[2][-4:] == ["Total score", "Applicable maximum", "Index (%)", "Rank"]
    assert len(values) == 3 + 13
    assert str(output) in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["matrix.xlsx"]  # no temporary file left


def test_a_scorecard_with_every_layer(year_2022, tmp_path):
    output = tmp_path / "vu-quang.xlsx"
    export("scorecard", "--year=2022", "--level=cap-huyen", "--unit=vu-quang", f"--output={output}")
    values = rows(load_workbook(output).worksheets[0])
    assert {"Tự chấm", "Vòng 1", "Điểm cuối"} <= set(values[3])  # after the story row
    totals = {row[1]: row[2] for row in values if row[0] is None and row[1]}
    assert totals["Tổng điểm"] == pytest.approx(89.30)


def test_the_ranking_and_the_history(year_2022, tmp_path):
    export("ranking", year=2022, level="cap-huyen", output=str(tmp_path / "r.xlsx"))
    export("history", level="cap-huyen", output=str(tmp_path / "h.xlsx"))
    assert rows(load_workbook(tmp_path / "r.xlsx").active)[2][:2] == ["Hạng", "Đơn vị"]
    history = rows(load_workbook(tmp_path / "h.xlsx").active)
    assert history[2][2:] == ["2022 · Chỉ số (%)", "2022 · Hạng", "Ghi chú"]


def test_the_report_gets_the_users_usual_file_mode(year_2022, tmp_path):
    previous = os.umask(0o022)
    try:
        export("ranking", year=2022, level="cap-huyen", output=str(tmp_path / "r.xlsx"))
    finally:
        os.umask(previous)
    assert (tmp_path / "r.xlsx").stat().st_mode & 0o777 == 0o644  # not the temp file's 0600


def test_an_existing_report_is_replaced(year_2022, tmp_path):
    output = tmp_path / "r.xlsx"
    output.write_bytes(b"old")
    export("ranking", year=2022, level="cap-huyen", output=str(output))
    assert rows(load_workbook(output).active)[2][0] == "Hạng"


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (
            ["ranks"],
            {"year": 2022, "level": "cap-huyen"},
            "Unknown report 'ranks'; known reports: audit_log, history, matrix, ranking, "
            "scorecard, unit_report, year_report.",
        ),
        (["matrix"], {"year": 2022}, "--level is needed; unit levels: cap-huyen."),
        (
            ["matrix"],
            {"year": 2022, "level": "cap-xa"},
            "No unit level 'cap-xa'; unit levels: cap-huyen.",
        ),
        (
            ["matrix"],
            {"level": "cap-huyen"},
            "--year is needed for the matrix report; years of cap-huyen: 2022, 2023, 2024.",
        ),
        (
            ["ranking"],
            {"year": 2019, "level": "cap-huyen"},
            "No year 2019 for cap-huyen; years on record: 2022, 2023, 2024.",
        ),
        (
            ["scorecard"],
            {"year": 2022, "level": "cap-huyen"},
            "--unit is needed for the scorecard report; units assessed in 2022: cam-xuyen, "
            "can-loc,",
        ),
        (
            ["scorecard"],
            {"year": 2022, "level": "cap-huyen", "unit": "ha-noi"},
            "No unit 'ha-noi' assessed in 2022 at cap-huyen; units assessed: cam-xuyen, can-loc,",
        ),
    ],
)
def test_what_is_missing_or_unknown_is_said_and_nothing_is_written(
    db, tmp_path, args, options, message
):
    with pytest.raises(CommandError) as error:
        export(*args, output=str(tmp_path / "out.xlsx"), **options)
    assert str(error.value).startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_an_output_in_a_missing_folder_is_refused(db, tmp_path):
    output = tmp_path / "nowhere" / "out.xlsx"
    with pytest.raises(CommandError, match=r"the folder .*nowhere does not exist"):
        export("history", level="cap-huyen", output=str(output))
    assert list(tmp_path.iterdir()) == []


def test_an_output_that_is_a_folder_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="it is a folder"):
        export("history", level="cap-huyen", output=str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_folder_is_refused(db, tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    # Tests may run as root, for whom no folder is read-only: the refusal is simulated.
    monkeypatch.setattr("tempfile.NamedTemporaryFile", refuse)
    with pytest.raises(CommandError, match=r"Cannot write .*out\.xlsx: Permission denied"):
        export("history", level="cap-huyen", output=str(tmp_path / "out.xlsx"))
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_language_is_refused(db, tmp_path):
    output = str(tmp_path / "h.xlsx")
    with pytest.raises(CommandError, match="invalid choice: 'fr'"):
        export("history", "--language=fr", level="cap-huyen", output=output)
    with pytest.raises(CommandError, match=r"Unknown language 'fr'; languages: en, vi\."):
        export("history", level="cap-huyen", output=output, language="fr")
    assert list(tmp_path.iterdir()) == []
