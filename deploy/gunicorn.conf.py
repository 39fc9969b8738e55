"""Gunicorn settings for production (docs/production.md): `gunicorn -c deploy/gunicorn.conf.py`.

Each value can be overridden with an environment variable, so one file serves every host.
"""

import json
import os

wsgi_app = "wellbeing_hub.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Two or three workers a core is gunicorn's advice; pages are short and database-bound.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Restart workers now and then so memory never creeps.
max_requests = 2000
max_requests_jitter = 200
# Only the reverse proxy on this host may say the request came over HTTPS or from which client.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Logs to standard error: one JSON object a line for each request, like the application's.
accesslog = "-"
errorlog = "-"
access_log_format = json.dumps(
    {
        "logger": "gunicorn.access",
        "method": "%(m)s",
        "path": "%(U)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_ms": "%(M)s",
        "client": "%({x-forwarded-for}i)s",
    }
)
