"""gunicorn's settings for production: ``gunicorn -c cchc/gunicorn.conf.py`` (it names the app).

Environment: GUNICORN_BIND (default 127.0.0.1:8000: a proxy such as nginx in front terminates
TLS and buffers slow clients), WEB_CONCURRENCY (workers; default 2 × cores + 1, at most 8),
GUNICORN_TIMEOUT (seconds, default 60). Every server of a national deployment runs the same file;
they share nothing but PostgreSQL, the cache (CACHE_URL) and the private storage (PRIVATE_STORAGE).
"""

import multiprocessing
import os
from pathlib import Path

wsgi_app = "cchc.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"]

# Sync workers: each request holds one process, and the proxy in front absorbs slow clients.
# 2 × cores + 1 is gunicorn's advice; the cap keeps memory bounded on a large machine (each
# worker holds Django, openpyxl and matplotlib: about 150 MB).
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
worker_class = "sync"

# A page takes well under a second; long work (large exports and imports) runs as a background
# task, so a request still running after a minute is stuck and its worker is replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5

# A worker is replaced after about a thousand requests (jittered so that they do not all restart
# at once): memory a long-lived worker accumulates (fonts, caches of libraries) is given back.
max_requests = 1000
max_requests_jitter = 100

# Not preloaded: each worker imports the app itself, so `kill -HUP` of the master (a deployment)
# starts workers on the new code while the old ones finish their requests, and no database
# connection or thread made at import can ever be shared by forked workers. The cost is a second
# or two per worker at start and some memory not shared between them.
preload_app = False

# Heartbeat files in memory, not on a disk that may stall (gunicorn's advice for containers).
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# Both logs on stdout/stderr, for the service manager (systemd's journal, a container runtime).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
