"""Compile every locale/*/LC_MESSAGES/*.po into its .mo without GNU gettext (uses polib).

The .mo files are committed, so a machine without gettext serves English too; a test checks
that they match their .po.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
    polib.pofile(str(po_path)).save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"compiled {po_path.relative_to(ROOT)}")
