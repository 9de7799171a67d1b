"""A browser test can fail: without Chromium it is skipped with the reason on a laptop, and it
fails when the run requires its services (CI)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import browser_missing

ROOT = Path(__file__).resolve().parent.parent
ONE_BROWSER_TEST = ("tests/browser/test_newcomer.py::"
                    "test_the_api_docs_list_the_operations_under_the_content_security_policy")


def test_a_missing_browser_fails_under_require_services_and_skips_otherwise(tmp_path):
    absent = str(tmp_path / "no-chromium")
    assert browser_missing(absent, require_services=True) == (
        "fail", f"REQUIRE_SERVICES is set but browser tests need Chromium at {absent} "
                "(apt-get install chromium)")
    assert browser_missing(absent, require_services=False)[0] == "skip"
    (tmp_path / "not-executable").write_text("")
    assert browser_missing(str(tmp_path / "not-executable"), require_services=False)[0] == "skip"
    assert browser_missing(sys.executable, require_services=True) is None


def _run_a_browser_test(tmp_path, **env) -> subprocess.CompletedProcess:
    # On SQLite in memory: never the database this run is using.
    base = {k: v for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "REQUIRE_SERVICES"}}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfEs",
         ONE_BROWSER_TEST],
        cwd=ROOT, env={**base, "CHROMIUM_PATH": str(tmp_path / "no-chromium"), **env},
        capture_output=True, text=True, timeout=240)


@pytest.mark.timeout(600)
def test_a_browser_test_run_without_chromium_fails_in_ci_and_skips_on_a_laptop(tmp_path):
    ci = _run_a_browser_test(tmp_path, REQUIRE_SERVICES="1")
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert "1 error" in ci.stdout and "REQUIRE_SERVICES is set but browser tests need Chromium" \
        in ci.stdout, ci.stdout
    laptop = _run_a_browser_test(tmp_path)
    assert laptop.returncode == 0, laptop.stdout + laptop.stderr
    assert "1 skipped" in laptop.stdout and "browser tests need Chromium" in laptop.stdout, \
        laptop.stdout
