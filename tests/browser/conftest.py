"""Browser tests: Debian's Chromium driven by Playwright against the live test server."""

import os
import shutil
from pathlib import Path

import pytest

# Debian's Chromium by default; CHROMIUM_PATH points elsewhere.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def browser_missing(chromium: str, *, require_services: bool) -> tuple[str, str] | None:
    """What becomes of the browser tests when `chromium` is not there: ("fail", reason) when the
    run requires its services (CI), ("skip", reason) otherwise; None when it is there."""
    if Path(chromium).is_file() and os.access(chromium, os.X_OK):
        return None
    reason = f"browser tests need Chromium at {chromium} (apt-get install chromium)"
    if require_services:
        return "fail", f"REQUIRE_SERVICES is set but {reason}"
    return "skip", reason


def pytest_collection_modifyitems(config, items):
    browser_tests = [item for item in items if "tests/browser" in str(item.fspath)]
    missing = browser_tests and browser_missing(
        CHROMIUM, require_services=bool(os.environ.get("REQUIRE_SERVICES")))
    if not missing:
        return
    outcome, reason = missing
    for item in browser_tests:
        if outcome == "skip":
            item.add_marker(pytest.mark.skip(reason=reason))
        else:
            # First, before the browser fixtures try to start it.
            item.fixturenames.insert(0, "_browser_required")


@pytest.fixture
def _browser_required():
    _, reason = browser_missing(CHROMIUM, require_services=True)
    pytest.fail(reason, pytrace=False)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"],
    }


@pytest.fixture(scope="session")
def screenshots():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return shoot


def unfold(page, section: str) -> None:
    """Open a folded section of the case page (it opens on the next step, the rest folded)."""
    folded = page.locator(f"#{section}:not([open]) > summary")
    if folded.count():
        folded.click()


@pytest.fixture
def login(live_server):
    def _login(page, username: str, password: str = "pw-for-tests") -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return _login
