"""The app's forms, one module per kind of page; import from here."""

from .appraisal import AppraisalForm
from .entry import AnswerForm, EvidenceForm, LeafForm, SendExplanationsForm, SubmitForm, error_lines
from .fields import THOUSANDS_DOT, YES_NO, DigitsField, FigureField, input_field
from .ledger import AdjustmentForm, RemoveForm
from .notifications import PreferencesForm
from .survey import SurveyGridForm
from .years import (
    AdvanceForm,
    BandFormSet,
    DeadlinesForm,
    NewYearForm,
    ReopenForm,
    StepBackForm,
    YearSettingsForm,
)

__all__ = [
    "THOUSANDS_DOT",
    "YES_NO",
    "AdjustmentForm",
    "AdvanceForm",
    "AnswerForm",
    "AppraisalForm",
    "BandFormSet",
    "DeadlinesForm",
    "DigitsField",
    "EvidenceForm",
    "FigureField",
    "LeafForm",
    "NewYearForm",
    "PreferencesForm",
    "RemoveForm",
    "ReopenForm",
    "SendExplanationsForm",
    "StepBackForm",
    "SubmitForm",
    "SurveyGridForm",
    "YearSettingsForm",
    "error_lines",
    "input_field",
]
