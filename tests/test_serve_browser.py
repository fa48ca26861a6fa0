"""`slagen serve` in a real browser (issue 18 item 5): headless Chromium from the system packages, driven by
Selenium through the packaged chromedriver. Load the contract page, save a clause and see the new words without
reloading by hand, break a tier file and see its `path:line` message above the last good preview, fix it and
see the preview come back. Skipped, with the reason, where Chromium or its driver is missing."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import copy_workspace
from serve_support import Served, replace_in, start

PAGE = "/contract/premium?customer=acme"
ANCHOR = "For the Supported Applications at the Covered Sites"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--window-size=1200,1400")


def missing() -> str | None:
    """Why the browser tests cannot run here, if they cannot."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for name in ("chromium", "chromedriver"):
        if shutil.which(name) is None and not Path(f"/usr/bin/{name}").exists():
            return f"{name} is not installed (apt-get install chromium chromium-driver, as `make test` does as root)"
    return None


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_workspace(tmp_path_factory.mktemp("serve-browser") / "ws")


@pytest.fixture(scope="module")
def served(workspace: Path) -> Iterator[Served]:
    server = start(workspace)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    reason = missing()
    if reason is not None:
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def body_text(driver: object) -> str:
    return driver.execute_script("return document.body ? document.body.innerText : ''")  # type: ignore[attr-defined]


def problems_text(driver: object) -> str | None:
    return driver.execute_script(  # type: ignore[attr-defined]
        "var box = document.getElementById('slagen-serve-problems'); return box ? box.innerText : null"
    )


def wait(driver: object, condition: Callable[[object], object], timeout: float = 15) -> float:
    """Seconds until `condition(driver)` holds, polled every 20 ms (through the page's own reloads)."""
    from selenium.common.exceptions import JavascriptException, StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    began = time.perf_counter()
    WebDriverWait(driver, timeout, poll_frequency=0.02,  # type: ignore[arg-type]
                  ignored_exceptions=(JavascriptException, StaleElementReferenceException, WebDriverException)
                  ).until(condition)
    return time.perf_counter() - began


def test_the_contract_page_loads_live_and_without_console_errors(
    browser: object, served: Served, tmp_path_factory: pytest.TempPathFactory
) -> None:
    browser.get(served.url.rstrip("/") + PAGE)  # type: ignore[attr-defined]
    assert "Service Level Agreement" in body_text(browser)
    assert "Acme Nutraceuticals, Inc." in body_text(browser)
    wait(browser, lambda driver: driver.execute_script(  # type: ignore[attr-defined]
        "return document.getElementById('slagen-serve-live').textContent") == "live")
    shot = Path(os.environ.get("SLAGEN_SERVE_SCREENSHOT", tmp_path_factory.mktemp("shots") / "contract.png"))
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 20_000  # type: ignore[attr-defined]
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]  # type: ignore[attr-defined]
    assert errors == []  # nothing refused by the page's policy, nothing failed to load
    leader = browser.execute_script(  # type: ignore[attr-defined]
        "return getComputedStyle(document.querySelector('.contents a')).backgroundImage")
    assert leader == "none"  # the PDF's dotted leaders lead to page numbers a browser cannot show


def test_a_saved_clause_shows_without_reloading_by_hand(browser: object, served: Served, workspace: Path) -> None:
    browser.get(served.url.rstrip("/") + PAGE)  # type: ignore[attr-defined]
    wait(browser, lambda driver: "Service Level Agreement" in body_text(driver))
    began = time.perf_counter()
    replace_in(workspace / "clauses" / "scope.yaml", ANCHOR, f"{ANCHOR} (Browsercheckword)")
    wait(browser, lambda driver: "Browsercheckword" in body_text(driver))
    print(f"save to new words in Chromium: {time.perf_counter() - began:.2f} s")


def test_a_broken_tier_shows_its_path_and_line_then_the_preview_returns(
    browser: object, served: Served, workspace: Path
) -> None:
    tier = workspace / "tiers" / "premium.yaml"
    replace_in(tier, "level: 3", "level: three")
    try:
        wait(browser, lambda driver: problems_text(driver) is not None)
        problems = problems_text(browser) or ""
        assert ("tiers/premium.yaml:5: level: Input should be a valid integer, unable to parse string as an integer "
                "(got 'three')") in problems
        assert "Browsercheckword" in body_text(browser)  # the last good preview, below the problem
    finally:
        replace_in(tier, "level: three", "level: 3")
    wait(browser, lambda driver: problems_text(driver) is None and "Browsercheckword" in body_text(driver))
