"""Settings: the file, the environment and the options, in that order of strength."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aiwatch.cli import app
from aiwatch.errors import ConfigError
from aiwatch.settings import Settings, bundled_config_dir, load_settings
from catalog_factory import milestone, write_catalog

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_use_the_bundled_catalog_and_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings()
    assert settings.config == bundled_config_dir()
    assert (settings.config / "milestones.toml").is_file()
    assert settings.effective_database_url.startswith("sqlite:///")
    assert str(tmp_path / "xdg-data" / "aiwatch" / "aiwatch.db") in settings.effective_database_url


def test_environment_beats_the_file_and_options_beat_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_catalog(tmp_path / "c", [milestone("a")], settings="check_within_days = 30\n")
    assert load_settings(folder).check_within_days == 30
    monkeypatch.setenv("AIWATCH_CHECK_WITHIN_DAYS", "45")
    assert load_settings(folder).check_within_days == 45
    monkeypatch.setenv("AIWATCH_CONFIG", str(folder))
    monkeypatch.setenv("AIWATCH_DATABASE_URL", "sqlite:///from-env.db")
    assert load_settings().config == folder
    assert load_settings(database_url="sqlite:///from-option.db").database_url.endswith(
        "from-option.db"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("check_within_days = 'soon'\n", "check_within_days"),
        ("colour = 'red'\n", "unknown setting(s) colour"),
        ("check_within_days = \n", "not valid TOML"),
    ],
)
def test_bad_settings_file_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    folder = write_catalog(tmp_path / "c", [milestone("a")], settings=text)
    with pytest.raises(ConfigError) as info:
        load_settings(folder)
    assert str(folder / "aiwatch.toml") in str(info.value)
    assert message in str(info.value)
    result = CliRunner().invoke(app, ["--config", str(folder), "check"])
    assert result.exit_code == 2 and message in result.stderr


def test_config_show_prints_every_setting() -> None:
    result = CliRunner().invoke(app, ["config", "show"])
    assert result.exit_code == 0
    for name in Settings.model_fields:
        assert re.search(rf"^{name} = ", result.stdout, re.M), name


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`AIWATCH_{name.upper()}`" in readme, f"README does not document {name}"
