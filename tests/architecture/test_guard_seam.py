"""What is reached through `register.controls` is the `Guard` protocol only: the attribute is
typed as the protocol, so a call of something only `Controls` has (`policy`, `tally`) would
break on a register opened with another guard. Such callers go through
`desk.controls.controls_of(register)` (issue 15)."""

from __future__ import annotations

import ast
from collections.abc import Mapping

from desk.register import Guard
from tests.architecture.boundaries import Finding, sources

#: the protocol's methods, as the register declares them
GUARD = frozenset(name for name in vars(Guard) if not name.startswith("_"))


def beyond_the_guard(modules: Mapping[str, str]) -> list[Finding]:
    """Every `<x>.controls.<name>` read where `<name>` is not a method of the Guard protocol."""
    found = []
    for path, text in modules.items():
        for node in ast.walk(ast.parse(text, path)):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "controls"
                and node.attr not in GUARD
            ):
                found.append(Finding(path, node.lineno, ast.unparse(node)))
    return sorted(found, key=lambda f: (f.path, f.line))


def test_register_controls_is_reached_as_a_guard_only() -> None:
    found = beyond_the_guard(sources())
    assert not found, "a Controls-only method reached through register.controls:\n" + "\n".join(map(str, found))


def test_the_check_catches_policy_and_tally_and_leaves_the_guard_alone() -> None:
    assert {"authorize", "check_draft", "check_approval", "check_reject"} <= GUARD
    planted = {
        "desk/cli/policy_cmds.py": "async def f(reg):\n    await reg.controls.policy(reg)\n",
        "desk/tui/screens/approvals.py": "async def g(app):\n    await app.register.controls.tally(app.register, d)\n",
        "desk/register/posting.py": "async def h(register):\n    await register.controls.authorize(register, 'post')\n",
    }
    assert [(f.path, f.line, f.text) for f in beyond_the_guard(planted)] == [
        ("desk/cli/policy_cmds.py", 2, "reg.controls.policy"),
        ("desk/tui/screens/approvals.py", 2, "app.register.controls.tally"),
    ]
