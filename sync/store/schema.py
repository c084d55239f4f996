"""One schema for every table of the store, on one ``MetaData``.

Every area's tables live here so one ``create_all`` makes them all and a
reader sees the whole store in one file.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()


runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("as_of", Date, nullable=False, unique=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("organisation", String(200), nullable=False, default=""),
    Column("output", Text, nullable=False, default=""),
    Column("workbooks", Integer, nullable=False, default=0),
    Column("stale", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("errors", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    Column("rows", Integer, nullable=False, default=0),
)


#: A run recorded but whose workbook was not yet renamed into place. The next
#: run (under the lock) finishes it or takes it back, so the store and the
#: workbook on disk always agree; readers of the history skip these runs.
pending_runs = Table(
    "pending_runs",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("output", Text, nullable=False),
    #: the written workbook waiting to be renamed over ``output``
    Column("temp", Text, nullable=False),
    #: ``inode:size:mtime_ns`` of that file (a rename keeps them: how to tell it happened)
    Column("stamp", String(100), nullable=False, default=""),
)


run_sources = Table(
    "run_sources",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(400), primary_key=True),
    Column("source", String(400), nullable=False, default=""),
    Column("state", String(8), nullable=False),
    Column("digest", String(64), nullable=False, default=""),
    Column("used", String(64), nullable=False, default=""),
    Column("since", Date),
    Column("error", Text, nullable=False, default=""),
)


source_versions = Table(
    "source_versions",
    metadata,
    Column("name", String(400), primary_key=True),
    Column("digest", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("size", Integer, nullable=False),
    Column("first_seen", Date, nullable=False),
    Column("last_seen", Date, nullable=False),
)


run_nodes = Table(
    "run_nodes",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("id", String(100), nullable=False),
    Column("kind", String(20)),
    Column("parent", String(100)),
    Column("up", String(100)),
    Column("depth", Integer, nullable=False, default=0),
    Column("department", String(200), nullable=False, default=""),
    Column("workbook", String(400), nullable=False, default=""),
    Column("title", Text, nullable=False, default=""),
    Column("progress", Float),
    Column("own", Float),
    Column("status", String(20)),
    Column("notes", Text, nullable=False, default=""),
    Column("actions", Text, nullable=False, default=""),
    # The dashboard opens the tree a level at a time: the rows under one row of a run.
    Index("ix_run_nodes_run_up", "run_id", "up"),
)


run_problems = Table(
    "run_problems",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("code", String(40), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("item_id", String(100), nullable=False, default=""),
    Column("workbook", String(400), nullable=False, default=""),
    Column("sheet", String(100), nullable=False, default=""),
    Column("cell", String(20), nullable=False, default=""),
    Column("message", Text, nullable=False, default=""),
)


metric_values = Table(
    "metric_values",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("metric", String(200), nullable=False),
    Column("period", String(20), nullable=False),
    Column("value", Float),
    Column("as_of", DateTime),
    Column("source", Text, nullable=False, default=""),
    Column("duration", Float, nullable=False, default=0.0),
    Column("error", Text, nullable=False, default=""),
    Column("window_start", Date),
    Column("window_end", Date),
    Column("recorded_at", DateTime, nullable=False),
    Index("ix_metric_values_metric_period", "metric", "period", "id"),
)


# --- the sync service: API tokens, uploaded workbook versions, runs it started ---


api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("digest", String(64), nullable=False, unique=True),
    Column("scopes", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_used_at", DateTime),
    Column("revoked_at", DateTime),
)


upload_versions = Table(
    "upload_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("department", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("filename", String(400), nullable=False, default=""),
    Column("digest", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploaded_at", DateTime, nullable=False),
    Column("uploaded_by", String(100), nullable=False, default=""),
    Column("errors", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
    Column("problems", Text, nullable=False, default="[]"),
    UniqueConstraint("department", "version", name="uq_upload_department_version"),
)


run_jobs = Table(
    "run_jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(12), nullable=False),
    Column("trigger", String(20), nullable=False, default="api"),
    Column("started_by", String(100), nullable=False, default=""),
    Column("pid", Integer),
    Column("exit_code", Integer),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("run_id", Integer),
    Column("error", Text, nullable=False, default=""),
    Column("summary", Text, nullable=False, default=""),
)


#: The records behind a metric value (``sync.metrics.detail``): one row per
#: capture, the kept rows as JSON, with the total row count and reconciliation.
metric_details = Table(
    "metric_details",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("metric", String(200), nullable=False),
    Column("period", String(20), nullable=False),
    Column("value", Float),
    Column("as_of", DateTime),
    Column("source", Text, nullable=False, default=""),
    Column("columns", Text, nullable=False, default="[]"),
    Column("rows", Text, nullable=False, default="[]"),
    Column("row_count", Integer, nullable=False, default=0),
    Column("total", Float),
    Column("total_column", String(200), nullable=False, default=""),
    Column("status", String(12), nullable=False),
    Column("error", Text, nullable=False, default=""),
    Column("window_start", Date),
    Column("window_end", Date),
    Column("recorded_at", DateTime, nullable=False),
    Index("ix_metric_details_metric_period", "metric", "period", "id"),
)


#: When ``okr remind`` last wrote to each owner, so nobody gets more than one
#: reminder per ``remind_days``.
reminders = Table(
    "reminders",
    metadata,
    Column("owner", String(320), primary_key=True),
    Column("sent_at", DateTime, nullable=False),
    Column("items", Integer, nullable=False, default=0),
)
