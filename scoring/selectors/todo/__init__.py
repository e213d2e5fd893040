"""What each person has to do now (the top of the home page) and who still has work before a
deadline (the reminder job): one set of definitions for both, so that a reminder reaches
exactly the people whose home page lists the work, and stops once they are done.

"Work" is, by the step the year is in:

* self-assessment: a unit's staff until the leader sends it (``Assessment.status`` draft);
  the leaves still to fill or fix are those ``workflow.submission_problems`` reports;
* appraisal: the appraisers of a field (the Interior Department's admins for a field nobody
  is assigned) until every applicable leaf of it has a round-1 score;
* explanation: a unit's staff, when it has flagged leaves, until its leader sends the
  explanations (``Assessment.explanation_submitted_at``);
* final appraisal: as appraisal, for the flagged applicable leaves without a round-2 score.

The round-1 and round-2 definitions are those of ``step_blockers`` (the year's next step
waits on the same leaves). Every read is a fixed number of queries whatever the number of
units and leaves; the admins' part adds ``step_blockers``' few per year in progress.
"""

from .deadlines import STEP_DEADLINES, Due, due_of, reminder_due, reminder_tier
from .home import Group, HomePage, Link, Task, home_page
from .work import Reminder, Work, fixes_of, flagged_of, load_work, to_appraise, who_has_work

__all__ = [
    "STEP_DEADLINES",
    "Due",
    "Group",
    "HomePage",
    "Link",
    "Reminder",
    "Task",
    "Work",
    "due_of",
    "fixes_of",
    "flagged_of",
    "home_page",
    "load_work",
    "reminder_due",
    "reminder_tier",
    "to_appraise",
    "who_has_work",
]
