"""Reading a filled template back: every problem with its place, then the plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from units.roles import Roles

from ... import rules, workflow
from ...forms import THOUSANDS_DOT, input_field
from ...models import Assessment, LeafScore
from ...selectors.entry import EntryRow, describe_declared, entry_rows, why_locked
from ...services import ConflictError, LeafEntry, save_leaves
from ..base import (
    DATE_EXPECTED,
    NUMBER_EXPECTED,
    YES_NO_EXPECTED,
    Change,
    Importer,
    ImportFailed,
    Plan,
    Problem,
    Table,
    cell_bool,
    cell_date,
    cell_decimal,
    cell_text,
    find_sheet,
    is_blank,
    open_workbook,
    read_table,
)
from ..markers import check_marker
from .layout import (
    INPUT_KEYS,
    SHEET,
    SPECS,
    VALUE_KEYS,
    State,
    fingerprint,
    marker_of,
    no_label,
    state_of,
    stored_state,
    yes_label,
)


def _to_json(spec: rules.InputSpec, value: Any) -> Any:
    """A figure as the web form stores it (``forms._to_json``): dates as ISO text, counts as
    integers, decimals as exact text, yes/no as booleans."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if spec.kind == "int":
        return int(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


@dataclass(frozen=True)
class RowEntry:
    """One leaf as the file has it."""

    number: int  # the sheet's row
    row: EntryRow
    version: int
    shown: str  # the fingerprint of the row as downloaded ("" when the file has none)
    declared: dict[str, Any]  # as stored (JSON)
    typed_score: Decimal | None
    not_applicable: bool
    na_reason: str
    explanation: str
    score: Decimal | None  # what the leaf scores with these values

    @property
    def state(self) -> State:
        return state_of(
            self.row.node,
            self.declared,
            self.score,
            self.not_applicable,
            self.na_reason,
            self.explanation,
        )


def _changed_since(leaf: LeafScore | None, code: str) -> str:
    if leaf is None or leaf.updated_by is None:
        return _(
            "Tiêu chí %(code)s đã thay đổi sau khi bạn tải mẫu; hãy tải mẫu mới rồi nhập lại."
        ) % {"code": code}
    who = leaf.updated_by.get_full_name() or leaf.updated_by.get_username()
    return _(
        "Tiêu chí %(code)s đã được %(who)s sửa lúc %(when)s, sau khi bạn tải mẫu; hãy tải mẫu "
        "mới rồi nhập lại."
    ) % {
        "code": code,
        "who": who,
        "when": formats.date_format(timezone.localtime(leaf.updated_at), "H:i d/m/Y"),
    }


class SelfAssessmentImporter(Importer):
    """One unit's self-assessment of one year, saved through ``save_leaves``."""

    identifier = "self_assessment"

    def __init__(self, *, assessment: Assessment, roles: Roles, user):
        self.assessment, self.roles, self.user = assessment, roles, user

    def read(self, content: bytes) -> Plan:
        """The plan's payload is the ``RowEntry`` of each leaf to save, in sheet order."""
        if (reason := why_locked(self.assessment)) is not None:
            raise ImportFailed([Problem(message=reason)])
        workbook = open_workbook(content)
        check_marker(
            workbook,
            marker_of(self.assessment),
            _(
                "Tệp này là mẫu của một đơn vị hoặc một năm khác. Hãy tải mẫu tự đánh giá "
                "năm %(year)s của %(unit)s và điền vào đó."
            )
            % {"year": self.assessment.year.year, "unit": self.assessment.unit.name},
        )
        problems: list[Problem] = []
        sheet = find_sheet(workbook, SHEET, problems)
        table = read_table(sheet, SPECS, problems) if sheet is not None else None
        if table is None:
            raise ImportFailed(problems)
        rows = {row.node.code: row for row in entry_rows(self.assessment)}
        seen: dict[str, int] = {}
        entries: list[RowEntry] = []
        for number, values in table.rows:
            code = cell_text(table.value(values, "code"))
            where = table.where(number, "code")
            if not code:
                if any(not is_blank(table.value(values, key)) for key in INPUT_KEYS):
                    problems.append(Problem(**where, message=_("Thiếu mã tiêu chí.")))
                continue  # otherwise a note under the table, say who filled it: not read
            row = rows.get(code)
            if row is None:
                problems.append(
                    Problem(
                        **where,
                        message=_("Không có tiêu chí mã “%(code)s” trong bộ chỉ số năm %(year)s.")
                        % {"code": code, "year": self.assessment.year.year},
                    )
                )
                continue
            if not row.node.is_leaf:
                continue  # a field or criterion: a grey context row
            if not row.by_unit:
                problems.append(
                    Problem(**where, message=_("%s: tiêu chí do Sở Nội vụ chấm.") % code)
                )
                continue
            if code in seen:
                problems.append(
                    Problem(
                        **where,
                        message=_("Tiêu chí %(code)s đã có ở dòng %(row)s.")
                        % {"code": code, "row": seen[code]},
                    )
                )
                continue
            seen[code] = number
            entry = self._read_row(table, number, values, row, problems)
            if entry is not None:
                entries.append(entry)
        changes, to_save, kept = self._compare(table, entries, problems)
        if problems:
            raise ImportFailed(problems)
        summary = _(
            "Tự đánh giá năm %(year)s của %(unit)s: %(changed)s tiêu chí thay đổi, %(same)s "
            "tiêu chí giữ nguyên."
        ) % {
            "year": self.assessment.year.year,
            "unit": self.assessment.unit.name,
            "changed": len(to_save),
            "same": sum(1 for row in rows.values() if row.by_unit) - len(to_save),
        }
        if kept:
            summary += " " + _(
                "%(n)s tiêu chí đã được sửa trên phần mềm sau khi tải mẫu nhưng không sửa trong "
                "tệp: giữ bản trên phần mềm."
            ) % {"n": kept}
        return Plan(summary=summary, changes=changes, payload=to_save)

    def apply(self, plan: Plan) -> str:
        entries: Sequence[RowEntry] = plan.payload
        by_node = {entry.row.node.id: entry for entry in entries}
        try:
            changed = save_leaves(
                assessment=self.assessment,
                roles=self.roles,
                user=self.user,
                entries=[
                    LeafEntry(
                        node_id=entry.row.node.id,
                        version=entry.version,
                        declared=entry.declared,
                        typed_score=entry.typed_score,
                        not_applicable=entry.not_applicable,
                        na_reason=entry.na_reason,
                        explanation=entry.explanation,
                    )
                    for entry in entries
                ],
            )
        except ConflictError as exc:
            # Saved in the app between this file's preview and its application.
            raise ImportFailed(
                [
                    Problem(
                        sheet=str(SHEET),
                        row=by_node[c.node.id].number,
                        message=_changed_since(c.theirs, c.node.code),
                    )
                    for c in exc.conflicts
                ]
            ) from exc
        return _("Đã nhập %(n)s tiêu chí từ tệp Excel.") % {"n": changed}

    # --- helpers ---

    def _read_row(
        self, table: Table, number: int, values: tuple, row: EntryRow, problems: list[Problem]
    ) -> RowEntry | None:
        """The leaf's entry in this row, or None when the row leaves it as it is or is wrong
        (each thing wrong added to ``problems``)."""
        node = row.node
        rule = rules.get_rule(node.rule)
        cell = {key: table.value(values, key) for key in [*VALUE_KEYS, "score", "na"]}
        na_reason = cell_text(table.value(values, "na_reason"))
        explanation = cell_text(table.value(values, "explanation"))
        inputs = [cell[key] for key in VALUE_KEYS]
        if (
            all(is_blank(value) for value in inputs)
            and (rule.computed or is_blank(cell["score"]))
            and is_blank(cell["na"])
            and not na_reason
            and not explanation
        ):
            return None
        found = len(problems)

        def problem(key: str, message) -> None:
            problems.append(Problem(**table.where(number, key), message=str(message)))

        version = 0
        raw_version = table.value(values, "version")
        try:
            number_version = cell_decimal(raw_version)
        except ValueError:
            number_version = Decimal(-1)
        if number_version is not None:
            if number_version < 0 or number_version != number_version.to_integral_value():
                problem("version", _("Ô phiên bản đã bị sửa; hãy tải mẫu mới."))
            else:
                version = int(number_version)
        try:
            not_applicable = bool(cell_bool(cell["na"]))
        except ValueError:
            problem("na", YES_NO_EXPECTED % cell_text(cell["na"]))
            not_applicable = False
        for n, value in enumerate(inputs[len(rule.inputs) :], start=len(rule.inputs) + 1):
            if not is_blank(value):
                problem(
                    f"value{n}",
                    _("Tiêu chí này không có số liệu thứ %(n)s; hãy để trống ô này.") % {"n": n},
                )
        figures: dict[str, Any] = {}
        typed_score = None
        if not not_applicable:
            for n, (spec, value) in enumerate(zip(rule.inputs, inputs, strict=False), start=1):
                try:
                    figure = self._figure(spec, value)
                except ValueError as exc:
                    problem(f"value{n}", exc.args[0])
                    continue
                if figure is not None:
                    figures[spec.name] = figure
            if not rule.computed:
                try:
                    typed_score = cell_decimal(cell["score"])
                except ValueError:
                    problem("score", NUMBER_EXPECTED % cell_text(cell["score"]))
        if len(problems) > found:
            return None
        try:
            score = workflow.self_score(
                workflow.LeafRule.of(node),
                declared=figures,
                typed_score=typed_score,
                not_applicable=not_applicable,
                na_reason=na_reason,
            )
        except rules.DeclaredError as exc:
            slots = {spec.name: f"value{n}" for n, spec in enumerate(rule.inputs, start=1)}
            key = slots.get(exc.field) or {"not_applicable": "na"}.get(exc.field, exc.field)
            problem(key if key in table.columns else "code", exc.message)
            return None
        by_name = {spec.name: spec for spec in rule.inputs}
        return RowEntry(
            number=number,
            row=row,
            version=version,
            shown=cell_text(table.value(values, "fingerprint")),
            declared={name: _to_json(by_name[name], value) for name, value in figures.items()},
            typed_score=typed_score,
            not_applicable=not_applicable,
            na_reason=na_reason if not_applicable else "",
            explanation=explanation,
            score=score,
        )

    @staticmethod
    def _figure(spec: rules.InputSpec, value: Any) -> Any:
        """A figure read by its kind (None when blank), or ``ValueError(message)``."""
        if spec.kind in ("bool", "flag"):
            try:
                answer = cell_bool(value)
            except ValueError:
                raise ValueError(str(YES_NO_EXPECTED % cell_text(value))) from None
            # A flag is a tick: "Không" is the same as no tick.
            return (answer or None) if spec.kind == "flag" else answer
        if spec.kind == "date":
            try:
                return cell_date(value)
            except ValueError:
                raise ValueError(str(DATE_EXPECTED % cell_text(value))) from None
        if isinstance(value, str) and spec.kind == "decimal" and THOUSANDS_DOT.search(value):
            # "1.500" is one thousand five hundred to a Vietnamese reader: refused, not guessed.
            raise ValueError(
                _("Dùng dấu phẩy cho phần thập phân, không dùng dấu chấm phân cách hàng nghìn.")
            )
        try:
            number = cell_decimal(value)
        except ValueError:
            raise ValueError(str(NUMBER_EXPECTED % cell_text(value))) from None
        if number is None:
            return None
        # Then the web form's own field says whether it takes the number (a count: digits
        # only; a figure: not negative, at most 16 digits and 4 decimal places), so the file
        # and the form never accept different figures. It gets the number as read, not the
        # cell's text: "8,5" and "8.5" are one figure whatever the reader's language.
        if spec.kind == "int":
            if isinstance(value, str):
                given: Any = value.strip()  # "1.000" is refused as it is on the form
            else:
                given = str(int(number)) if number == number.to_integral_value() else str(number)
        else:
            given = number
        try:
            input_field(spec).clean(given)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None
        return number

    def _compare(
        self, table: Table, entries: list[RowEntry], problems: list[Problem]
    ) -> tuple[list[Change], list[RowEntry], int]:
        """The preview's lines, the rows to save, and how many rows were left as they are
        because only the app changed them since the download."""
        stale: list[RowEntry] = []
        changed: list[RowEntry] = []
        for entry in entries:
            leaf = entry.row.leaf
            if entry.state == stored_state(entry.row.node, leaf):
                continue
            if entry.version == (leaf.version if leaf else 0):
                changed.append(entry)
            else:
                stale.append(entry)
        kept = 0
        for entry in stale:
            if entry.shown and entry.shown == fingerprint(entry.state):
                kept += 1  # the file shows the leaf as downloaded: the app's version stays
                continue
            problems.append(
                Problem(
                    **table.where(entry.number, "code"),
                    message=_changed_since(entry.row.leaf, entry.row.node.code),
                )
            )
        changes = [change for entry in changed for change in self._changes(entry)]
        return changes, changed, kept

    def _changes(self, entry: RowEntry) -> list[Change]:
        node, leaf = entry.row.node, entry.row.leaf
        old, new = stored_state(node, leaf), entry.state
        subject = f"{node.code}. {Truncator(node.title).chars(60)}"

        def label(name):
            return capfirst(LeafScore._meta.get_field(name).verbose_name)

        def yes_no(value):
            return yes_label() if value else no_label()

        def score(value):
            return formats.number_format(value, 2) if value is not None else ""

        lines = []
        if old.declared != new.declared:
            lines.append(
                Change(
                    subject,
                    label("declared"),
                    describe_declared(node, leaf.declared if leaf else {}),
                    describe_declared(node, entry.declared),
                )
            )
        if old.not_applicable != new.not_applicable:
            lines.append(
                Change(
                    subject,
                    label("not_applicable"),
                    yes_no(old.not_applicable),
                    yes_no(new.not_applicable),
                )
            )
        if old.na_reason != new.na_reason:
            lines.append(Change(subject, label("na_reason"), old.na_reason, new.na_reason))
        if old.explanation != new.explanation:
            lines.append(
                Change(
                    subject,
                    label("explanation"),
                    Truncator(old.explanation).chars(120),
                    Truncator(new.explanation).chars(120),
                )
            )
        # The resulting score, always: it is what the officer checks.
        lines.append(
            Change(
                subject,
                label("self_score"),
                _("Không áp dụng") if old.not_applicable else score(old.self_score),
                _("Không áp dụng") if new.not_applicable else score(new.self_score),
            )
        )
        return lines
