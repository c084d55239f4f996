"""Placeholder."""


def start_scheduler(app):
    return None
