"""The nightly run: read the inputs once, compute the report, write it, record it.

``run.consolidate`` takes the lock, reads the sources and the past from the
store (``inputs``), computes the report, writes the company workbook to a
temporary file and renames it into place (``outputs``), and records the run.
"""
