"""The project as a new user meets it: compose file, API schema, demo data, settings, language,
and the README's run command itself."""

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from http.cookiejar import CookieJar
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import call_command

from cases.models import Case
from org.models import OrgNode, User

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_is_valid_against_the_compose_specification():
    schema = json.loads(resources.files("check_jsonschema.builtin_schemas.vendor")
                        .joinpath("compose-spec.json").read_text())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    jsonschema.validate(compose, schema)
    assert {"web", "worker", "beat", "db", "redis"} <= set(compose["services"])
    assert "DATABASE_URL" in compose["services"]["worker"]["environment"]
    # One cache for every web worker: the customer page's rate limits are the same for all.
    assert compose["services"]["web"]["environment"]["CACHE_URL"].startswith("redis://")


def test_compose_validation_would_catch_a_broken_file():
    schema = json.loads(resources.files("check_jsonschema.builtin_schemas.vendor")
                        .joinpath("compose-spec.json").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"services": {"web": {"ports": "8000"}}}, schema)


def test_openapi_schema_and_docs_are_served(org, client):
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ["/api/v1/survey-responses/", "/api/v1/cases/", "/api/v1/cases/{case_id}/",
                 "/api/v1/cases/{case_id}/transitions/{name}/", "/api/v1/auth/token/",
                 "/api/v1/notifications/"]:
        assert path in paths, path
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # The Content Security Policy runs no inline script: every script is a file from this site.
    scripts = re.findall(r"<script([^>]*)>", docs.content.decode())
    assert scripts and all('src="/' in attrs for attrs in scripts), scripts
    start = client.get("/api/docs/?script=")
    assert start.status_code == 200 and start["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in start.content.decode()


def test_the_demo_admin_opens_every_page_of_the_admin(org, client):
    """The README says the configurable numbers are edited in the admin by the demo's `admin`."""
    from django.contrib import admin

    client.force_login(org.admin)
    for model in admin.site._registry:
        opts = model._meta
        page = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
        assert page.status_code == 200, opts.label


@pytest.mark.django_db
def test_seed_demo_empty_makes_the_network_and_users_only(capsys):
    call_command("seed_demo", "--empty", "--password", "pw-x")
    assert OrgNode.objects.filter(kind="store").count() == 8
    assert OrgNode.objects.filter(kind="region").count() == 4
    assert OrgNode.objects.filter(kind="area").count() == 2
    s01, s02 = OrgNode.objects.get(code="S01"), OrgNode.objects.get(code="S02")
    assert s01.parent != s02.parent and s01.parent.parent != s02.parent.parent
    for name, node in [("advisor1", "S01"), ("manager1", "S01"), ("director1", "S01"),
                       ("regional1", s01.parent.code), ("area1", s01.parent.parent.code),
                       ("hq1", "HQ"), ("advisor2", "S02"), ("manager2", "S02")]:
        user = User.objects.get(username=name)
        assert user.node.code == node and user.check_password("pw-x")
    assert Case.objects.count() == 0
    assert "pw-x" in capsys.readouterr().out


def test_pages_speak_chinese_by_default_and_english_on_request(org, client):
    client.force_login(org.manager1)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "退出" in page or "登出" in page or "服务" in page
    english = client.get("/?lang=en").content.decode()
    assert "Log out" in english
    assert "Log out" in client.get("/").content.decode()  # the choice is remembered


def test_login_page_and_csrf(org, client):
    assert client.get("/").status_code == 302
    assert client.get("/accounts/login/").status_code == 200
    csrf_client = type(client)(enforce_csrf_checks=True)
    r = csrf_client.post("/accounts/login/", {"username": "manager1", "password": "pw-for-tests"})
    assert r.status_code == 403


def test_check_deploy_passes_with_production_settings():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE has no place in production.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**env, "DEBUG": "false", "SECRET_KEY": "x" * 60 + "-production-secret-key",
           "ALLOWED_HOSTS": "recovery.example.com", "SECURE_SSL_REDIRECT": "true",
           "SESSION_COOKIE_SECURE": "true", "CSRF_COOKIE_SECURE": "true",
           "SECURE_HSTS_SECONDS": "31536000"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "security." not in result.stdout + result.stderr


def test_a_web_worker_freezes_what_it_loads_with_every_view_imported():
    """The collector then never walks Django, the libraries and the views (recovery/collector.py);
    a view imported later would be walked by every full collection."""
    code = ("import gc, sys, recovery.wsgi; print(gc.get_freeze_count(), "
            "'cases.api' in sys.modules, 'metrics.views' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True)
    frozen, api_loaded, pages_loaded = result.stdout.split()
    assert int(frozen) > 50_000 and api_loaded == pages_loaded == "True", result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(600)
def test_readme_run_command_serves_the_product(tmp_path):
    """Runs the README's first command (bin/run) on the embedded defaults, logs in as a demo user
    and gets the dashboard."""
    readme = (ROOT / "README.md").read_text()
    assert "./bin/run" in readme and "./bin/test" in readme
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"PORT": str(port), "VAR_DIR": str(tmp_path / "var"),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"})
    log = open(tmp_path / "run.log", "w")
    proc = subprocess.Popen(["bash", "bin/run"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        # Ready when the banner says so (it follows the first answer of /healthz).
        while time.monotonic() < deadline:
            if f"http://127.0.0.1:{port}/" in (tmp_path / "run.log").read_text():
                break
            assert proc.poll() is None, (tmp_path / "run.log").read_text()
            time.sleep(1)
        urllib.request.urlopen(f"{base}/healthz", timeout=10)
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login_page = opener.open(f"{base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        data = urllib.parse.urlencode({"username": "manager1", "password": "recovery-demo-2026",
                                       "csrfmiddlewaretoken": token}).encode()
        home = opener.open(urllib.request.Request(f"{base}/accounts/login/", data=data,
                                                  headers={"Referer": f"{base}/accounts/login/"}))
        assert home.status == 200 and home.url.rstrip("/") == base
        assert "SR" in home.read().decode()
        output = (tmp_path / "run.log").read_text()
        assert f"http://127.0.0.1:{port}/" in output and "manager1" in output
        # A quiet start: one banner, none of the noise that means nothing on a laptop.
        assert output.count("manager1") == 1, output
        for noise in ("models.W040", "AXES", "Applying ", "No hostname", "Editable install",
                      "setuptools"):
            assert noise not in output, output
        # A search can be a customer's name: the access log keeps the path, not the query.
        opener.open(f"{base}/?q={urllib.parse.quote('王秀英')}").read()
        web_log = (tmp_path / "var" / "web.log").read_text()
        assert '"GET /"' in web_log
        assert "q=" not in web_log and urllib.parse.quote("王秀英") not in web_log
        # The embedded worker and beat really sweep: the demo's overdue cases get escalated.
        escalations = 0
        while time.monotonic() < deadline and not escalations:
            time.sleep(2)
            with sqlite3.connect(tmp_path / "run.sqlite3", timeout=20) as db:
                escalations = db.execute("SELECT COUNT(*) FROM escalation_escalation").fetchone()[0]
        assert escalations > 0, (tmp_path / "var" / "worker.log").read_text()[-3000:]
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)


def test_pages_carry_a_content_security_policy(org, client):
    client.force_login(org.manager1)
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy


def test_repeated_failed_logins_lock_the_account_out(org, client):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "manager1", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "manager1",
                                                "password": "pw-for-tests"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
