"""Links in emails follow the port `make run` serves on, unless SITE_URL says otherwise."""

import os
import subprocess
import sys

import pytest
from django.conf import settings


def site_url(tmp_path, **env) -> str:
    environment = {
        key: value for key, value in os.environ.items() if key not in {"PORT", "SITE_URL"}
    }
    environment.update(VAR_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", "import marketplace.settings as s; print(s.SITE_URL)"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8811"}, "http://127.0.0.1:8811"),
        ({"PORT": ""}, "http://127.0.0.1:8000"),
        ({"PORT": "8811", "SITE_URL": "https://amap.example.org/"}, "https://amap.example.org"),
        ({"SITE_URL": "https://amap.example.org"}, "https://amap.example.org"),
    ],
)
def test_site_url_follows_the_port_unless_it_is_set(tmp_path, env, expected):
    assert site_url(tmp_path, **env) == expected
