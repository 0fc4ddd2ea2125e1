"""Configuration: the example loads, env and secret files override, every error is named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desk.config import ConfigError, load_settings, masked
from tests.conftest import REPO
from tests.waiting import PATIENCE

EXAMPLE = REPO / "config.example.toml"


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def _field_names(model: type, seen: set[type] | None = None) -> set[str]:
    """Every key of the settings tree: section names and the keys of each section's model."""
    import typing

    seen = seen or set()
    names: set[str] = set()
    for name, field in getattr(model, "model_fields", {}).items():
        names.add(name)
        for candidate in (field.annotation, *typing.get_args(field.annotation)):
            if hasattr(candidate, "model_fields") and candidate not in seen:
                seen.add(candidate)
                names |= _field_names(candidate, seen)
    return names


def test_example_file_loads_and_documents_every_key() -> None:
    import re

    from desk.config import DeskSettings

    settings = load_settings(EXAMPLE, env={})
    assert settings.pools["f2main"].kind == "f2pool"
    assert settings.asset("BNB").precision == 18
    text = EXAMPLE.read_text()
    documented = set(re.findall(r"^#?\s*([a-z_]+)\s*=", text, flags=re.M))
    for header in re.findall(r"^\[\[?([a-z_.0-9]+)\]", text, flags=re.M):
        documented |= set(header.split("."))
    missing = _field_names(DeskSettings) - documented
    assert not missing, f"keys not documented in config.example.toml: {sorted(missing)}"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", "[sync]\npools_interval = 300\n")
    settings = load_settings(cfg, env={"DESK_SYNC__POOLS_INTERVAL": "60"})
    assert settings.sync.pools_interval == 60


def test_token_from_a_secret_file_is_loaded_and_masked(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", '[pools.bp]\nkind = "braiins"\n')
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    write(secrets / "pools__bp__token", "tok-123\n")
    settings = load_settings(cfg, env={}, secrets_dir=secrets)
    assert settings.pools["bp"].token is not None
    assert settings.pools["bp"].token.get_secret_value() == "tok-123"
    assert "tok-123" not in repr(settings)
    assert masked(settings)["pools"]["bp"]["token"] == "********"


def test_a_world_readable_secret_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", '[pools.bp]\nkind = "braiins"\n')
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    write(secrets / "pools__bp__token", "tok", mode=0o644)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={}, secrets_dir=secrets)
    assert f"chmod 600 {secrets / 'pools__bp__token'}" in str(info.value)


def test_a_config_file_with_a_token_must_be_private(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", '[pools.bp]\nkind = "braiins"\ntoken = "x"\n', mode=0o640)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    assert "chmod 600" in str(info.value)
    cfg.chmod(0o600)
    assert load_settings(cfg, env={}).pools["bp"].token is not None


def test_every_problem_is_reported_with_file_and_key(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "bad.toml",
        '[sync]\npools_intervall = 30\nprices_interval = -5\n[assets]\nBTC = "eight"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    problems = info.value.problems
    assert len(problems) == 3
    joined = "\n".join(problems)
    assert f"{cfg}: sync.pools_intervall: unknown key" in joined
    assert "allowed here: backfill_days, pools_interval, prices_interval" in joined
    assert f"{cfg}: sync.prices_interval: Input should be greater than 0 (got -5)" in joined
    assert f"{cfg}: assets.BTC:" in joined and "'eight'" in joined


def test_a_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(None, env={"DESK_SYNC__BACKFILL_DAYS": "lots"})
    assert "environment DESK_SYNC__BACKFILL_DAYS: sync.backfill_days" in str(info.value)


def test_a_bad_secret_file_value_names_the_file(tmp_path: Path) -> None:
    secrets = tmp_path / "s"
    secrets.mkdir()
    write(secrets / "sync__prices_interval", "0")
    with pytest.raises(ConfigError) as info:
        load_settings(None, env={}, secrets_dir=secrets)
    assert f"{secrets / 'sync__prices_interval'}: sync.prices_interval" in str(info.value)


@pytest.mark.parametrize(
    ("toml", "needle"),
    [
        ("[pools.x]\nkind = 'slush'\n", "pools.x.kind"),
        ("[pools.x]\nkind = 'f2pool'\n", "f2pool needs `user`"),
        ("[pools.x]\nkind = 'ocean'\nuser = 'a'\npays_into = 'nowhere'\n", "not in accounts.wallets"),
        ("[assets]\nBTC = 19\n", "assets.BTC"),
        ("[assets]\nBTC = 8.5\n", "whole number"),
        ("[operator]\nname = 'Bad Name'\n", "operator.name"),
        ("[sync]\nbackfill_days = 99999\n", "sync.backfill_days"),
        ("not toml [", "not valid TOML"),
    ],
)
def test_each_kind_of_mistake_is_named(tmp_path: Path, toml: str, needle: str) -> None:
    cfg = write(tmp_path / "c.toml", toml)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg, env={})
    assert needle in str(info.value)


def test_a_named_config_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(tmp_path / "missing.toml", env={})


def test_without_any_file_defaults_apply(tmp_path: Path) -> None:
    settings = load_settings(None, env={})
    assert settings.register.path.name == "register.sqlite"
    assert settings.sync.pools_interval == 300
    assert settings.operator.name


def test_config_path_from_environment(tmp_path: Path) -> None:
    cfg = write(tmp_path / "c.toml", "[reserve]\nfund = 'Test Fund'\n")
    assert load_settings(None, env={"DESK_CONFIG": str(cfg)}).reserve.fund == "Test Fund"


def run_desk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "desk", *args], capture_output=True, text=True, env=full_env, timeout=PATIENCE
    )


def test_config_check_on_the_example_exits_0_and_masks_secrets() -> None:
    result = run_desk(
        "config",
        "check",
        "--config",
        str(EXAMPLE),
        env={"DESK_POOLS__BRAIINS__TOKEN": "very-secret-token", "DESK_POOLS__F2MAIN__TOKEN": "other-secret"},
    )
    assert result.returncode == 0, result.stderr
    assert "very-secret-token" not in result.stdout + result.stderr
    assert "other-secret" not in result.stdout + result.stderr
    assert 'token = "********"' in result.stdout


def test_config_check_names_all_three_mistakes_and_exits_2(tmp_path: Path) -> None:
    cfg = write(
        tmp_path / "bad.toml",
        '[sync]\npools_intervall = 30\nprices_interval = -5\n[assets]\nBTC = "eight"\n',
    )
    result = run_desk("config", "check", "--config", str(cfg))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert any("pools_intervall" in line for line in lines)
    assert any("prices_interval" in line for line in lines)
    assert any("assets.BTC" in line for line in lines)


def test_version_and_help() -> None:
    assert run_desk("--version").stdout.startswith("desk ")
    help_text = run_desk("--help").stdout
    assert "config" in help_text
    assert "--config" in run_desk("config", "check", "--help").stdout
