"""Start the production configuration for real and walk through it as a person would.

gunicorn with the production settings file, PostgreSQL (the throwaway server `make postgres`
starts), the background worker, migrations and collected static files; requests arrive as from
the reverse proxy that terminates HTTPS (``X-Forwarded-Proto: https``, ``X-Forwarded-For``).
(`check --deploy` is tested with the SMTP set-up in test_production_settings; here mail goes to
files so the test can read it, which that check rightly calls development-only.) The walk: sign in, see a page, submit a form that sends an email, receive that email from the
worker (not from the web process), sign out.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "hub.example.test"
PASSWORD = "walk-" + secrets.token_urlsafe(16)

pytestmark = pytest.mark.postgres


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def production_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A new empty database on the throwaway server and the production environment for it."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = "walk_" + secrets.token_hex(4)
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    tmp = tmp_path_factory.mktemp("production")
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "wellbeing_hub.settings",
            "PYTHONPATH": str(REPO),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "BALLOT_SECRET_KEY": secrets.token_urlsafe(40),
            "DATABASE_URL": urlunsplit(urlsplit(url)._replace(path=f"/{name}")),
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "CLIENT_IP_HEADER": "X-Forwarded-For",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(tmp / "mail"),
            "STATIC_ROOT": str(tmp / "static"),
            "DEFAULT_FROM_EMAIL": "hub@example.test",
        }
    )
    env["GUNICORN_BIND"] = f"127.0.0.1:{free_port()}"
    env["GUNICORN_WORKERS"] = "2"
    yield env
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "-m", "django", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


SET_UP_DATA = f"""
from directory.tests import factories as f
org = f.organization(name="Walk Lunch Club", email="club@example.test")
service = f.service(organization_=org, name="Walk Lunch Club Tuesdays")
person = f.user(username="walker", email="walker@example.test", display_name="Wendy Walker")
person.set_password({PASSWORD!r})
person.save()
print(service.pk)
"""


class Browser:
    """Just enough of a browser behind an HTTPS-terminating proxy: cookies (Secure ones too,
    since the proxy speaks HTTPS to the person), the forwarded headers, and CSRF's Referer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, *, https: bool = True
    ) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": HOST, "X-Forwarded-For": "203.0.113.7"}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://{HOST}{path}"
            headers["Origin"] = f"https://{HOST}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_headers.append(header)
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def get(self, path: str, *, https: bool = True) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path, https=https)

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str]:
        status, _, page = self.get(path)
        assert status == 200, f"GET {path} gave {status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, f"no CSRF token on {path}"
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **fields})


@contextlib.contextmanager
def running(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(args, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_health(browser: Browser, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn exited:\n{log.read_text()}"
        with contextlib.suppress(OSError):
            status, _, _ = browser.get("/health")
            if status == 200:
                return
        time.sleep(0.3)
    pytest.fail(f"gunicorn did not answer /health in 60 s:\n{log.read_text()}")


def mail_files(env: dict[str, str]) -> list[Path]:
    folder = Path(env["EMAIL_FILE_PATH"])
    return sorted(folder.glob("*.log")) if folder.is_dir() else []


def test_production_walk(production_env: dict[str, str], tmp_path: Path) -> None:
    env = production_env
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    service_id = manage(env, "shell", "-c", SET_UP_DATA).strip().splitlines()[-1]

    port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
    web_log = tmp_path / "gunicorn.log"
    gunicorn = [str(BIN / "gunicorn"), "-c", str(REPO / "deploy" / "gunicorn.conf.py")]
    with running(gunicorn, env, web_log) as server:
        browser = Browser(port)
        wait_for_health(browser, server, web_log)

        # Plain HTTP is sent to HTTPS; HTTPS answers carry HSTS and the CSP.
        status, headers, _ = browser.get("/", https=False)
        assert status == 301 and headers["location"] == f"https://{HOST}/"
        status, headers, home = browser.get("/")
        assert status == 200
        assert "max-age=31536000" in headers["strict-transport-security"]
        assert "script-src 'self'" in headers["content-security-policy"]

        # Static files come from the collected, hashed copies with a long cache life.
        css = re.search(r'href="(/static/govuk/govuk-frontend\.min\.[0-9a-f]+\.css)"', home)
        assert css, "the page should link the hashed stylesheet"
        status, headers, _ = browser.get(css.group(1))
        assert status == 200 and "max-age=315360000" in headers["cache-control"]

        # Sign in.
        status, headers, _ = browser.post_form(
            "/account/sign-in/", {"username": "walker", "password": PASSWORD}
        )
        assert status == 302, f"sign-in gave {status}:\n{web_log.read_text()[-3000:]}"
        session_cookie = next(h for h in browser.set_cookie_headers if h.startswith("sessionid="))
        assert "Secure" in session_cookie and "HttpOnly" in session_cookie
        status, _, account = browser.get("/account/")
        assert status == 200 and "Wendy Walker" in account

        # Submit a form that sends an email: the web process only queues it.
        status, headers, _ = browser.post_form(
            f"/find-support/services/{service_id}/enquire/",
            {"subject": "Tuesday lunch", "body": "Is there space next Tuesday?"},
        )
        assert status == 302, f"enquiry gave {status}:\n{web_log.read_text()[-3000:]}"
        time.sleep(1)
        assert mail_files(env) == [], "the web process must not send mail itself"

        # The worker sends it.
        worker_log = tmp_path / "worker.log"
        worker = [str(BIN / "python"), "-m", "django", "db_worker", "--interval", "0.2"]
        with running(worker, env, worker_log) as worker_process:
            deadline = time.monotonic() + 60
            while not mail_files(env) and time.monotonic() < deadline:
                assert worker_process.poll() is None, worker_log.read_text()
                time.sleep(0.3)
        sent = "".join(p.read_text() for p in mail_files(env))
        assert "To: club@example.test" in sent, worker_log.read_text()
        assert "Tuesday lunch" in sent
        # The link in the email is a full address: an email has no page to be relative to.
        assert f"https://{HOST}/find-support/enquiries/" in sent
        # The message itself stays on the platform (it may hold personal details).
        assert "Is there space next Tuesday?" not in sent

        # Sign out: the account page asks for sign-in again.
        status, headers, _ = browser.post_form("/account/sign-out/", {})
        assert status == 302
        status, headers, _ = browser.get("/account/")
        assert status == 302 and "/account/sign-in/" in headers["location"]

        # A missing page is logged as one JSON object a line.
        assert browser.get("/no-such-page/")[0] == 404
    lines = [json.loads(line) for line in web_log.read_text().splitlines() if line.startswith("{")]
    assert any(
        entry.get("logger") == "django.request" and entry.get("path") == "/no-such-page/"
        for entry in lines
    ), web_log.read_text()[-3000:]
    assert any(entry.get("logger") == "gunicorn.access" for entry in lines)
