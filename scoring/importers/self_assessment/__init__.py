"""A unit's self-assessment in Excel: the template an officer downloads for the unit and year,
fills offline, and uploads back while the window is open.

The template and its reader share one column layout (``COLUMNS``), so they cannot drift apart.
A row is the whole entry of one leaf, as in the web form: its declared figures, the typed score
of a manual leaf, N/A with its reason and the explanation; a blank cell in a row that has values
clears that value. A row whose input cells are all blank leaves the leaf as it is (a template
filled for one field does not clear the others). Grey cells (titles, rules, figure labels, the
score the app computes) are for reading and are never read back. Two hidden columns hold each
leaf's version at download and a fingerprint of what the row showed: a leaf someone saved in
the app since then is refused as a conflict when the file changes it too, and kept as it is
when the file still shows it as downloaded.
"""

from .layout import COLUMNS_HELP
from .reader import SelfAssessmentImporter
from .template import entry_template

__all__ = ["COLUMNS_HELP", "SelfAssessmentImporter", "entry_template"]
