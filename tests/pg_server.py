"""A throwaway PostgreSQL server for the tests: Debian's binaries, a temp data directory, a
free port on 127.0.0.1, run as the `postgres` user (the server refuses root); or the server
named by AMPLAN_TEST_PG_URL. Each test gets a fresh database cloned from a migrated template.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from desktop.models.migrations import SCHEMA_TABLE
from sqlalchemy.engine import make_url

URL_ENV = "AMPLAN_TEST_PG_URL"
USER = "amplan_test"
PASSWORD = "amplan-test-password"  # a throwaway server bound to loopback, for the tests only
TEMPLATE = "amplan_template"


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(False)


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


class PgServer:
    """Where the test databases live, and how to get a fresh one."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._names = itertools.count(1)
        self._prefix = f"amplan_t{os.getpid()}_"
        self._work: str | None = None

    def url(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(False)

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(_libpq(self.admin_url), autocommit=True)

    def prepare_template(self) -> None:
        """A database migrated to the latest schema, cloned for each test."""
        from desktop.models.database import Database

        self.template = f"{self._prefix}template"
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.template}")
            conn.execute(f"CREATE DATABASE {self.template}")
        Database(self.url(self.template)).close()

    def emptied(self) -> str:
        """URL of the run's shared work database, emptied (every table but the schema
        marker, identities restarted): ten times cheaper than a new database per test."""
        if self._work is None:
            self._work = self.fresh()
        tables = None
        try:
            with psycopg.connect(_libpq(self._work), autocommit=True) as conn:
                conn.execute("SET lock_timeout = '5s'")
                tables = [
                    row[0]
                    for row in conn.execute(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema() AND table_name <> %s",
                        (SCHEMA_TABLE,),
                    ).fetchall()
                ]
                conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        except psycopg.errors.LockNotAvailable:  # an earlier test left a transaction open
            self._work = self.fresh()
        return self._work

    def fresh(self, migrated: bool = True) -> str:
        """URL of a new database: a clone of the migrated template, or an empty one."""
        name = f"{self._prefix}{next(self._names)}"
        with self.admin() as conn:
            if migrated:
                conn.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
            else:
                conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_all(self) -> None:
        with self.admin() as conn:
            names = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                (self._prefix + "%",),
            ).fetchall()
            for (name,) in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


FOLDER_PREFIX = "amplan-pg-"
OWNER_FILE = "owner.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_orphans(binaries: Path) -> None:
    """Servers left by a test run that was killed (its `finally` never ran) are stopped
    here, so a killed run does not leave a server behind for good."""
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*"):
        try:
            owner = int((folder / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        subprocess.run(
            _as_server_user(
                [str(binaries / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate", "stop"]
            ),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_server() -> Iterator[PgServer | str]:
    """Yields a PgServer, or a reason why none could be had (then the PG tests skip)."""
    given = os.environ.get(URL_ENV)
    if given:
        server = PgServer(given)
        server.prepare_template()
        try:
            yield server
        finally:
            server.drop_all()
        return
    binaries = _binaries()
    if binaries is None:
        yield "PostgreSQL is not installed (Debian package `postgresql`; `make test` installs it)"
        return
    _stop_orphans(binaries)
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    (folder / OWNER_FILE).write_text(str(os.getpid()))
    data = folder / "data"
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(password_file, "postgres", "postgres")
    port = _free_port()
    log = folder / "server.log"
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                USER,
                "--pwfile",
                str(password_file),
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Durability is not under test here: no fsync makes CREATE DATABASE per test cheap.
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
                "-w",
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        server = PgServer(f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres")
        deadline = time.monotonic() + 30
        while True:
            try:
                server.admin().close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        server.prepare_template()
        yield server
    finally:
        subprocess.run(
            _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)
