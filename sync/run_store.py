"""Tables and functions for consolidation runs in the store (issue: nightly consolidation)."""

from __future__ import annotations
