"""The one error a configuration raises: every problem found, one line each."""

from __future__ import annotations


class ConfigError(Exception):
    """Configuration that cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))
