"""Regenerate the odd uploads in tests/data/consolidate/ (run from the repository root).

Besides the broken workbooks of tests/data/broken/, the consolidation tests
feed these: an empty file, an old binary .xls saved as .xlsx, and a zip
whose parts were cut off mid-upload.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    """Write the files."""
    (HERE / "empty.xlsx").write_bytes(b"")
    (HERE / "old-format.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    (HERE / "damaged.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 64 + b"truncated upload")


if __name__ == "__main__":
    main()
