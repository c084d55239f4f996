"""okr-sheets outside the pure domain: files, stores, systems of record, the CLI.

Sub-packages, one per part: ``cli`` (commands), ``xlsx`` (spreadsheet files),
``company`` (the company workbook), ``consolidate`` (the nightly run),
``metrics`` (live values), ``sources`` (where department workbooks come from),
``store`` (SQLite or PostgreSQL). Leaf modules shared by many parts:
``errors``, ``config``, ``secrets``, ``run_records``.
"""
