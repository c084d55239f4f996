"""okr: the pure OKR domain (model, template schema, cascade rules, scoring, roll-up).

No file, network or spreadsheet-application imports live here; ``sync`` and
``addin`` do the I/O and call into this package.
"""

__version__ = "0.1.0"
