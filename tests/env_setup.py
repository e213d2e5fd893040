"""Loaded by pytest before Django reads its settings: development defaults for the test run.

Settings refuse to start without SECRET_KEY when DEBUG is off; tests run with the development
key unless the environment says otherwise (CI's deploy check sets its own).
"""

import os

os.environ.setdefault("DEBUG", "true")
