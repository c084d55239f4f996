"""A live ``okr serve`` on the example organisation, for tests and benchmarks in any language.

    python -m tests.live_service [--dir DIR]

builds the example organisation with its metrics into DIR (a fresh temporary
folder by default), refreshes the metrics from the demo ERP, makes one token
per kind of caller with ``okr token add``, starts ``okr serve --port 0`` and
prints one JSON line on stdout once it answers::

    {"url": "http://127.0.0.1:PORT", "workspace": DIR, "config": DIR/okr.toml,
     "as_of": "2026-11-16", "tokens": {"admin": ..., "reader": ..., "sales": ...,
     "finance": ..., "revoked": ...}}

then serves until stdin closes or it is terminated. The Node tests
(addin/tests/) and the pytest agreement test start it this way. Everything
goes through the ``okr`` command line, as an admin would run it.

If the service cannot start (``okr serve`` missing), it prints
``{"unavailable": "<reason>"}`` and exits 3.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The tokens made, name -> scopes; "revoked" is revoked right after.
TOKENS = {
    "admin": ["admin"],
    "reader": ["reader"],
    "sales": ["department:sales"],
    "finance": ["department:finance"],
    "revoked": ["admin"],
}
_LISTENING = re.compile(r"on (http://[^/\s]+)/")
START_TIMEOUT = 60


def okr(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one ``okr`` command with this interpreter; its completed process."""
    done = subprocess.run(
        [sys.executable, "-m", "sync.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and done.returncode not in (0, 1):
        raise RuntimeError(f"okr {args[0]} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def prepare(folder: Path) -> dict:
    """The example organisation, its metrics refreshed and tokens made, in *folder*."""
    from examples.build import build
    from examples.content import AS_OF
    from examples.erp import build_erp
    from examples.okr_toml import write_demo_config

    build(folder, with_metrics=True)
    config = write_demo_config(folder)
    build_erp(folder, today=AS_OF)
    okr("metrics", "refresh", "--config", str(config), "--as-of", AS_OF.isoformat())
    tokens = {}
    for name, scopes in TOKENS.items():
        flags = [f for s in scopes for f in ("--scope", s)]
        made = okr("token", "add", name, *flags, "--config", str(config))
        tokens[name] = made.stdout.strip().splitlines()[-1]
    okr("token", "revoke", "revoked", "--config", str(config))
    return {
        "workspace": str(folder),
        "config": str(config),
        "as_of": AS_OF.isoformat(),
        "tokens": tokens,
    }


def serve(config: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``okr serve`` on a free port; the process and its base URL once it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync.cli", "serve", "--config", config, "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + START_TIMEOUT
    url = None
    lines: list[str] = []
    assert proc.stderr is not None
    while url is None:
        line = proc.stderr.readline()
        if not line:
            raise RuntimeError("okr serve stopped: " + "".join(lines[-5:]).strip())
        lines.append(line)
        found = _LISTENING.search(line)
        if found:
            url = found.group(1)
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("okr serve did not start within a minute")
    # Keep reading its log so the pipe never fills and blocks the server.
    threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url + "/healthz", timeout=5):
            return proc, url
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"okr serve at {url} does not answer /healthz")


@contextlib.contextmanager
def started() -> Iterator[dict]:
    """Run this module in a child process; yield its JSON line, stop it on exit.

    The line holds ``"unavailable"`` when the service could not start.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.live_service"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        yield json.loads(proc.stdout.readline() or '{"unavailable": "the helper died"}')
    finally:
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def main(argv: list[str] | None = None) -> int:
    """Prepare, serve, print the JSON line, wait for stdin to close."""
    parser = argparse.ArgumentParser(prog="python -m tests.live_service")
    parser.add_argument("--dir", type=Path, help="workspace folder (default: a temporary one)")
    args = parser.parse_args(argv)
    if "serve" not in okr("--help", check=False).stdout:
        print(json.dumps({"unavailable": "this checkout has no okr serve"}), flush=True)
        return 3
    folder = args.dir or Path(tempfile.mkdtemp(prefix="okr-live-"))
    proc = None
    try:
        info = prepare(folder)
        proc, url = serve(info["config"])
        print(json.dumps({"url": url, **info}), flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        sys.stdin.read()  # the caller closes stdin (or terminates us) when done
    except RuntimeError as exc:
        print(json.dumps({"unavailable": str(exc)}), flush=True)
        return 3
    finally:
        if proc is not None:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            if proc.poll() is None:
                proc.kill()
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
