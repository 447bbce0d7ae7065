"""`load_demo` (run by `make run`) says in two lines what it emailed, and ends with the demo
accounts: the packing lists' emails, PDFs and all, go to files, not to the terminal."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from marketplace.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def test_the_demo_prints_a_summary_of_its_emails_then_the_accounts(settings, tmp_path, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"  # make run's
    settings.EMAIL_FILE_PATH = str(tmp_path)
    out = StringIO()

    call_command("load_demo", stdout=out)

    printed = out.getvalue() + capsys.readouterr().out
    assert "Content-Type" not in printed and "base64" not in printed
    assert re.search(r"\n  [1-9]\d* packing lists? built and emailed to the producers\n", printed)
    files = list((tmp_path / "demo").glob("*.log"))
    assert files and "Content-Type: application/pdf" in "".join(f.read_text() for f in files)
    assert f"{tmp_path}/demo/ (not sent)" in printed
    last_lines = printed.strip().splitlines()[-len(DEMO_ACCOUNTS) :]
    assert [line.split()[1] for line in last_lines] == [email for email, *_ in DEMO_ACCOUNTS]
