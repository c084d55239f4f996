"""The Google Sheets layer over gspread: connection, template, reading, write-back, publishing."""
