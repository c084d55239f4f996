"""The dashboard in headless Chromium: log in, drill down to a key result, screenshot."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from sync.consolidate.run import consolidate
from tests.conftest import require
from tests.service.browser import chrome, chromium_paths, png_colours, serving


@pytest.fixture
def browser_paths():
    """Skip (or fail with OKR_REQUIRE_BROWSER=1) without Chromium and its driver."""
    if chromium_paths() is None:
        require("OKR_REQUIRE_BROWSER", "chromium and chromedriver are not installed")


def test_a_leader_drills_down_from_a_company_objective_to_a_key_result(
    browser_paths, app, tokens, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    ws = app.extensions["okr"].ws
    for days in (14, 7, 0):
        consolidate(ws, as_of=date.today() - timedelta(days=days))
    with serving(app) as url, chrome() as driver:
        wait = WebDriverWait(driver, 15)
        driver.get(url + "/")
        assert "/login" in driver.current_url
        driver.find_element(By.ID, "token").send_keys(tokens["reader"])
        driver.find_element(By.ID, "login-button").click()
        wait.until(ready.presence_of_element_located((By.ID, "tree")))
        # Expand a company objective: its children load on click.
        driver.find_element(By.CSS_SELECTOR, 'button.toggle[data-id="CO-O1"]').click()
        department = wait.until(
            ready.element_to_be_clickable(
                (By.CSS_SELECTOR, 'li[data-id="CO-O1"] > ul button.toggle')
            )
        )
        dept_id = department.get_attribute("data-id")
        assert not dept_id.startswith("CO-")
        department.click()
        link = wait.until(
            ready.element_to_be_clickable(
                (By.CSS_SELECTOR, f'li[data-id="{dept_id}"] > ul li.key-result a.name')
            )
        )
        shot = tmp_path / "tree.png"
        driver.save_screenshot(str(shot))
        assert png_colours(shot.read_bytes()) > 20
        link.click()
        wait.until(ready.presence_of_element_located((By.ID, "history")))
        assert driver.find_element(By.ID, "value").text.strip()
        assert driver.find_elements(By.CSS_SELECTOR, "#history svg polyline")
        assert driver.find_element(By.ID, "detail").is_displayed()
        page = tmp_path / "kr.png"
        driver.save_screenshot(str(page))
        assert png_colours(page.read_bytes()) > 20
        # A hand-typed key result with a check-in log: its check-ins are a series of their own.
        driver.get(url + "/item/SALES-KR1.1")
        dots = wait.until(
            ready.visibility_of_all_elements_located((By.CSS_SELECTOR, "#history circle.checkins"))
        )
        assert len(dots) == 4 and all(d.size["width"] > 0 for d in dots)
        legend = driver.find_elements(By.CSS_SELECTOR, "#history g.legend text")
        assert "check-ins" in [t.text for t in legend]
        title = dots[2].find_element(By.TAG_NAME, "title").get_attribute("textContent")
        assert title.startswith("check-ins 2026-11-03") and "Added two SDRs" in title


def test_the_dashboard_speaks_chinese_to_a_chinese_browser(browser_paths, app, tokens):
    from selenium.webdriver.common.by import By

    consolidate(app.extensions["okr"].ws)
    with serving(app) as url, chrome(lang="zh-CN") as driver:
        driver.get(url + "/login")
        assert driver.find_element(By.ID, "login-button").text == "登录"


def test_the_dashboard_fits_a_phone(browser_paths, app, tokens):
    from selenium.webdriver.common.by import By

    consolidate(app.extensions["okr"].ws)
    with serving(app) as url, chrome() as driver:
        metrics = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        driver.get(url + "/login")
        driver.find_element(By.ID, "token").send_keys(tokens["reader"])
        driver.find_element(By.ID, "login-button").click()
        driver.find_element(By.ID, "tree")
        width = driver.execute_script("return document.documentElement.scrollWidth")
        assert width <= driver.execute_script("return window.innerWidth") == 390
