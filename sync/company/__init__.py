"""The company workbook: the ``Book``, one module per sheet, the report it is written from.

``book.write_company_workbook(report, path)`` writes every sheet from a
``report.Report``, a plain value the consolidation computes; the sheets never
read files or the store.
"""
