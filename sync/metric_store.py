"""Tables and functions for metric values in the store (issue: live metrics)."""

from __future__ import annotations
