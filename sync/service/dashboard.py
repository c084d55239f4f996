"""Placeholder."""

from apiflask import APIBlueprint

bp = APIBlueprint("dashboard", __name__)
