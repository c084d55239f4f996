"""The WSGI entry point for gunicorn and other servers: ``sync.service.wsgi:app``.

The workspace file comes from ``OKR_CONFIG`` (default ./okr.toml)::

    OKR_CONFIG=/srv/okr/okr.toml gunicorn -w 4 -b 127.0.0.1:8750 'sync.service.wsgi:app'
"""

from __future__ import annotations

import os

from sync.service import create_app
from sync.service.heap import settle

app = create_app(os.environ.get("OKR_CONFIG") or None)
settle()
