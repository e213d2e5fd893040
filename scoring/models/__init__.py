"""Years, frameworks, assessments, leaf scores, evidence and adjustments.

Models hold data and its local invariants only; scoring lives in ``rules``/``calculations`` and
every write of consequence goes through ``services``.
"""

from .adjustments import Adjustment, AdjustmentKind
from .assessments import Assessment, LeafScore
from .audit import AuditEvent
from .common import POINTS, code_sort_key
from .evidence import Evidence, EvidenceLink
from .frameworks import Framework, FrameworkNode
from .jobs import Job
from .notifications import Notification
from .versions import ResultsVersion
from .years import AppraisalReason, AssessmentYear, Band, FieldAssignment, YearReopening

__all__ = [
    "POINTS",
    "Adjustment",
    "AdjustmentKind",
    "AppraisalReason",
    "Assessment",
    "AssessmentYear",
    "AuditEvent",
    "Band",
    "Evidence",
    "EvidenceLink",
    "FieldAssignment",
    "Framework",
    "FrameworkNode",
    "Job",
    "LeafScore",
    "Notification",
    "ResultsVersion",
    "YearReopening",
    "code_sort_key",
]
