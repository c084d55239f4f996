"""The store: one schema for every table, the engine, and what each area keeps there.

``schema`` owns every table; ``engine`` opens SQLite or PostgreSQL; ``runs``
and ``history`` write and read consolidation runs (``bulk`` hands many rows
to the driver at once); ``metrics`` keeps metric values; ``lock`` makes one
consolidation run at a time across processes.
"""
