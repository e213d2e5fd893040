"""Loaded by pytest before Django reads its settings: development defaults for the test run.

Settings refuse to start without SECRET_KEY when DEBUG is off; tests run with the development
key unless the environment says otherwise (CI's deploy check sets its own).
"""

import os
import tempfile

os.environ.setdefault("DEBUG", "true")
# Uploaded evidence of the test run goes to a throwaway folder, never the developer's own.
os.environ.setdefault("PRIVATE_MEDIA_ROOT", tempfile.mkdtemp(prefix="cchc-test-evidence-"))
