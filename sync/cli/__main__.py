"""``python -m sync.cli``: the ``okr`` command without its console script."""

import sys

from sync.cli import main

sys.exit(main())
