"""The register is reached through its public API only, and no SQL lives outside it."""

from __future__ import annotations

import subprocess
import sys

from tests.architecture.boundaries import private_reads, sources, sql_strings


def test_no_module_reads_a_private_name_of_another_package() -> None:
    found = private_reads(sources())
    assert not found, "private names read across packages:\n" + "\n".join(map(str, found))


def test_the_check_catches_a_private_read_of_the_register_and_of_a_module() -> None:
    """The check itself, on planted violations (the kinds the register's seam once had)."""
    planted = {
        "desk/register/register.py": "class Register:\n    def __init__(self):\n        self._conn = None\n",
        "desk/register/walk.py": "def _keys():\n    pass\n",
        "desk/controls/engine.py": (
            "from desk.register import walk\n"
            "async def policy(register):\n"
            "    register._conn.execute('')\n"
            "    walk._keys()\n"
            "    self_like = register\n"
            "    return self_like\n"
        ),
        "desk/register/lots.py": "def f(register):\n    return register._conn\n",
        "desk/cli/common.py": "import argparse\nx = argparse._SubParsersAction\n",
    }
    assert [(f.path, f.line, f.text) for f in private_reads(planted)] == [
        ("desk/controls/engine.py", 3, "register._conn"),
        ("desk/controls/engine.py", 4, "walk._keys"),
    ]


def test_no_sql_outside_the_register() -> None:
    found = sql_strings(sources())
    assert not found, "SQL outside desk/register/:\n" + "\n".join(map(str, found))


def test_the_sql_check_catches_a_query_and_leaves_prose_alone() -> None:
    planted = {
        "desk/sync/history.py": 'Q = "SELECT value FROM meta WHERE key = ?"\n"""Select the rows from a page."""\n',
        "desk/controls/engine.py": 'sql = ("INSERT OR REPLACE INTO meta (key, value) "\n       "VALUES (?, ?)")\n',
        "desk/register/feedstate.py": 'sql = "DELETE FROM host_blocks"\n',
    }
    assert [(f.path, f.line) for f in sql_strings(planted)] == [
        ("desk/controls/engine.py", 1),
        ("desk/sync/history.py", 1),
    ]


def test_opening_a_register_loads_neither_the_controls_nor_the_valuation(tmp_path) -> None:
    """The register -> controls -> valuation -> register cycle stays broken: the register
    asks a Guard, which desk.controls implements."""
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "from desk.register import Register\n"
        "async def main():\n"
        f"    async with Register.open(Path({str(tmp_path / 'r.sqlite')!r}), operator='aliya', create=True) as reg:\n"
        "        await reg.count()\n"
        "asyncio.run(main())\n"
        "print(sorted(m for m in sys.modules if m.startswith(('desk.controls', 'desk.valuation'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
