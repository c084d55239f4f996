"""Spreadsheet files: safe reading, in-place filling, the fast writer, the template.

Everything that opens or writes an .xlsx lives here: the calamine reader that
refuses bombs and foreign files, the in-place fill that keeps everything else
in a workbook, the fast xlsxwriter worksheet, the template generator and its
formulas, the looks shared by every workbook we write, the formula-injection
guard and the one atomic writer.
"""
