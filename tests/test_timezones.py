"""The time-sensitive core tests pass under other process timezones, not only under Asia/Shanghai.

Django sets the process timezone (TZ) to settings.TIME_ZONE, so every other test runs in Asia/Shanghai and a
conversion that silently uses the process's local zone (``date.today()``, ``datetime.fromtimestamp(t)``,
a naive ``timestamp()``) could never show. Here the core modules that deal in instants, local days and
deadlines run again in a fresh process under UTC and under America/Los_Angeles (west of UTC, so its local
date lags Shanghai's by a day for sixteen hours of every day). Core tests are pure: no Django, no conftest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TIME_SENSITIVE = [
    "tests/core/test_dekad.py",
    "tests/core/test_idnum.py",
    "tests/core/test_schedule.py",
    "tests/core/test_signing.py",
    "tests/core/test_signing_envelopes.py",
    "tests/core/test_sla.py",
    "tests/core/test_tracing.py",
]


@pytest.mark.parametrize(("zone", "abbreviation"), [("UTC", "UTC"), ("America/Los_Angeles", "PST")])
def test_time_sensitive_core_tests_pass_under_another_process_timezone(zone: str, abbreviation: str) -> None:
    env = {**os.environ, "TZ": zone, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    seen = subprocess.run(
        [sys.executable, "-c", "import time; print(time.tzname[0])"], env=env, capture_output=True, text=True
    )
    assert seen.stdout.strip() == abbreviation  # the child really runs in that zone
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-x",
            "-p",
            "no:django",
            "--noconftest",
            "-p",
            "no:randomly",
            "-p",
            "no:xdist",
            "-o",
            "addopts=",
            "-k",
            "not equal_the_independent_oracle",
            *TIME_SENSITIVE,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
