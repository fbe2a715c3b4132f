"""The standalone bundle and the wheel, as a user without Python or the venv gets them.

`make dist-test` builds both and points AMPLAN_BUNDLE at the bundle's folder; the ordinary
suite does not build them (a build takes minutes), so there these tests are skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest
from desktop import __version__

BUNDLE = os.environ.get("AMPLAN_BUNDLE")
pytestmark = pytest.mark.skipif(
    not BUNDLE, reason="the bundle is built and checked by `make dist-test`"
)


def clean_env(home: Path) -> dict[str, str]:
    """No venv, no Python of ours on PATH: only what any Linux desktop has."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "AMPLAN_DB": str(home / "book.sqlite"),
        "AMPLAN_CONFIG": str(home / "config"),
    }


def amplan(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    executable = Path(str(BUNDLE)) / "amplan"
    return subprocess.run(
        [str(executable), *args],
        env=clean_env(home),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_bundle_answers_entitlements_and_keeps_a_book(tmp_path: Path) -> None:
    done = amplan(tmp_path, "entitlements", "--product", "SpiraPlan", "--users", "120", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["onboarding_hours"] > 0

    added = amplan(
        tmp_path, "customer", "add", "--name", "Acme", "--product", "SpiraPlan",
        "--users", "120", "--start", "2026-01-05", "--package", "gold",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = amplan(tmp_path, "customer", "list", "--json")
    assert [c["name"] for c in json.loads(listed.stdout)["customers"]] == ["Acme"]


def test_the_bundle_opens_its_window_and_quits(tmp_path: Path) -> None:
    done = amplan(tmp_path, "gui", "--quit-after-start")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "book.sqlite").is_file()


def test_a_missing_file_to_open_is_a_plain_message(tmp_path: Path) -> None:
    done = amplan(tmp_path, "gui", "--open", str(tmp_path / "nowhere.ics"))
    assert done.returncode == 2
    assert "no such file to open" in done.stderr and "Traceback" not in done.stderr


def test_install_puts_amplan_in_the_menu_and_opens_calendar_files(tmp_path: Path) -> None:
    env = clean_env(tmp_path) | {"XDG_DATA_HOME": str(tmp_path / "share")}
    subprocess.run(
        ["sh", str(Path(str(BUNDLE)) / "install.sh")], env=env, check=True, capture_output=True
    )
    entry = (tmp_path / "share" / "applications" / "amplan.desktop").read_text()
    assert f'Exec="{Path(str(BUNDLE)) / "amplan"}" gui --open %f' in entry
    assert "MimeType=text/calendar;" in entry
    assert (tmp_path / "share" / "icons" / "hicolor" / "scalable" / "apps" / "amplan.svg").is_file()
    linked = subprocess.run(
        [str(tmp_path / ".local" / "bin" / "amplan"), "--help"], env=env, capture_output=True
    )
    assert linked.returncode == 0


def test_the_wheel_carries_the_resources_and_the_command() -> None:
    dist = Path(str(BUNDLE)).parent
    (wheel,) = dist.glob(f"amplan-{__version__}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "amplan = desktop.launch:main" in archive.read(entry_points).decode()
    assert "desktop/_resources/policy/default.toml" in names
    assert "desktop/_resources/icons/amplan.svg" in names
    assert "desktop/_resources/sample/book.csv" in names
