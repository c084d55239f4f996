"""Live key-result values: the registry, measuring, refreshing workbooks, connectors.

``registry`` reads ``[connections]`` and ``[metrics]`` of okr.toml,
``measure`` measures many metrics at once, ``refresh`` writes the values into
the department workbooks, and ``connectors/`` fetch one number from one kind
of system (sql, file, http, salesforce).
"""
