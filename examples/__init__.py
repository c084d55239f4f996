"""The bundled example organisation, Northwind Components.

``examples.content`` holds the OKRs as plain Python data, ``examples.build``
turns them into workbooks made from the real template (``python -m
examples.build``), and ``examples.demo`` runs the product over them
(``make demo``). The workbooks under ``examples/org/`` are generated: edit
``content.py`` and rebuild, never the workbooks.
"""
