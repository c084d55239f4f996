"""The consolidation the service starts, in a child process of its own.

``python -m sync.service.child [--config okr.toml]`` runs one consolidation
and speaks to its parent in lines on stdout: ``STARTED`` once it holds the
run lock, then ``RESULT {json}``; or ``LOCKED {message}`` / ``FAILED
{message}``. A child killed outright (even SIGKILL) says nothing more, and
the parent marks the run failed; the consolidation itself leaves the previous
workbook and the store intact.
"""

from __future__ import annotations

import argparse
import json
import sys

from sync.cli.consolidate import result_json, with_default_sources
from sync.config import load_config
from sync.consolidate.run import consolidate
from sync.errors import LockedError, OkrError, ServiceError

WAITING = "waiting for the run lock"


def say(kind: str, payload: object = None) -> None:
    """One line to the parent."""
    line = kind if payload is None else f"{kind} {json.dumps(payload, ensure_ascii=False)}"
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def summary(result) -> dict:
    """The run's JSON report without the problem list (the store keeps that)."""
    out = result_json(result, problems=False)
    out.pop("problems", None)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run one consolidation; the exit code is ``okr consolidate``'s."""
    parser = argparse.ArgumentParser(prog="python -m sync.service.child")
    parser.add_argument("--config")
    args = parser.parse_args(argv)
    started = False

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal started
        if not started and stage != WAITING:
            started = True
            say("STARTED")

    try:
        ws, notices = with_default_sources(load_config(args.config))
        result = consolidate(ws, wait=0, notices=notices, progress=progress)
    except LockedError as exc:
        say("LOCKED", str(exc))
        return 1
    except ServiceError as exc:
        say("FAILED", str(exc))
        return 3
    except OkrError as exc:
        say("FAILED", str(exc))
        return 2
    except Exception as exc:  # noqa: BLE001 - the parent records it; no traceback to clients
        say("FAILED", f"the run failed unexpectedly ({type(exc).__name__})")
        return 3
    say("RESULT", summary(result))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
