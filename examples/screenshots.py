"""Regenerate the dashboard screenshots in docs/ from the demo organisation (``make screenshots``).

Builds the demo (four weeks of history) in a temporary folder, serves it on a
free loopback port and drives headless Chromium through the tree and a key
result's page. Needs ``chromium`` and ``chromium-driver``.

    .venv/bin/python -m examples.screenshots [--out docs]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sync.config import load_config  # noqa: E402
from sync.service import create_app  # noqa: E402
from sync.store import tokens as token_store  # noqa: E402
from tests.service.browser import chrome, chromium_paths, serving  # noqa: E402


def main() -> int:
    """Build the demo, take the two screenshots, print where they went."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--item", default="SALES-KR1.1", help="the key result to show")
    args = parser.parse_args()
    if chromium_paths() is None:
        print("screenshots: install chromium and chromium-driver first", file=sys.stderr)
        return 2
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    work = Path(tempfile.mkdtemp(prefix="okr-screens-"))
    subprocess.run(
        [sys.executable, "-m", "examples.demo", "--out", str(work)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    config = next(work.rglob("okr.toml"))
    ws = load_config(config)
    app = create_app(ws)
    token = token_store.add_token(app.extensions["okr"].engine, "screenshots", ["reader"])
    args.out.mkdir(parents=True, exist_ok=True)
    with serving(app) as url, chrome(width=1200, height=860) as driver:
        wait = WebDriverWait(driver, 15)
        driver.get(url + "/login")
        driver.find_element(By.ID, "token").send_keys(token)
        driver.find_element(By.ID, "login-button").click()
        wait.until(ready.presence_of_element_located((By.ID, "tree")))
        driver.find_element(By.CSS_SELECTOR, "#tree > li button.toggle").click()
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#tree > li > ul li")))
        inner = driver.find_element(By.CSS_SELECTOR, "#tree > li > ul button.toggle")
        inner.click()
        wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, "#tree ul ul li")))
        driver.save_screenshot(str(args.out / "dashboard-tree.png"))
        driver.set_window_size(1200, 1500)
        driver.get(f"{url}/item/{args.item}")
        wait.until(ready.presence_of_element_located((By.ID, "history")))
        driver.save_screenshot(str(args.out / "dashboard-key-result.png"))
    print(f"wrote {args.out / 'dashboard-tree.png'} and {args.out / 'dashboard-key-result.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
