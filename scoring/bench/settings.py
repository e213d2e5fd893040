"""The app's own settings, as gunicorn runs them for `make bench` (scoring.bench.load).

Two changes, both for a measurement only: the URLs add the trivial page the ranking is compared
with (so the app's URLs never serve it), and the collected static files go to the bench's own
directory (production's manifest storage needs them collected; the repository's STATIC_ROOT is
left alone).
"""

from pathlib import Path

from cchc.env import env_str
from cchc.settings import *  # noqa: F403 (the app's settings, whole)
from cchc.settings import STATIC_ROOT

ROOT_URLCONF = "scoring.bench.urls"
STATIC_ROOT = Path(env_str("BENCH_STATIC_ROOT", str(STATIC_ROOT)))
