"""`subscribers import` (all or nothing, every bad row named) and `subscribers test`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiwatch.deliver.webhook import new_secret
from receiver import receiving


def test_json_import_adds_everyone(cli: Any, tmp_path: Path) -> None:
    file = tmp_path / "subs.json"
    file.write_text(json.dumps([
        {"name": "legal", "email": "legal@example.org", "roles": ["deployer"], "news": "daily"},
        {"name": "hooks", "webhook": "https://hooks.example.org/a", "lead": "30,7",
         "labels": ["guideline", "consultation"], "tz": "Europe/Stockholm", "at": "08:30"},
        {"name": "chat", "apprise": "ntfy://aiwatch-topic", "topics": "high-risk;gpai"},
    ]))  # fmt: skip
    result = cli("subscribers", "import", str(file))
    assert result.exit_code == 0, result.output
    assert "3 subscriber(s) imported" in result.stdout
    assert "hooks: webhook https://hooks.example.org/a secret (shown once): whsec_" in result.stdout
    listed = {
        s["name"]: s for s in json.loads(cli("subscribers", "list", "--format", "json").stdout)
    }
    assert listed["hooks"]["leads"] == [30, 7] and listed["hooks"]["at"] == "08:30"
    assert listed["chat"]["topics"] == ["high-risk", "gpai"]
    assert listed["legal"]["news"] == "daily"


def test_csv_import_is_all_or_nothing_and_names_every_bad_line(cli: Any, tmp_path: Path) -> None:
    file = tmp_path / "subs.csv"
    file.write_text(
        "name,webhook,email,roles,lead,tz\n"
        "good,https://hooks.example.org/a,,deployer,90;30,Europe/Brussels\n"
        "bad-role,https://hooks.example.org/b,,ceo,30,Europe/Brussels\n"
        "two-channels,https://hooks.example.org/c,x@example.org,,30,Europe/Brussels\n"
        "bad-zone,https://hooks.example.org/d,,,30,Mars/Base\n"
        "good,https://hooks.example.org/e,,,30,Europe/Brussels\n"
    )
    result = cli("subscribers", "import", str(file))
    assert result.exit_code == 2
    expected = [
        (3, "unknown role 'ceo'"),
        (4, "give exactly one of webhook, email"),
        (5, "unknown time zone 'Mars/Base'"),
        (6, "name 'good' is taken"),
    ]
    for line, message in expected:
        assert f"line {line}: {message}" in result.stderr, result.stderr
    assert json.loads(cli("subscribers", "list", "--format", "json").stdout) == []  # nothing


def test_subscribers_test_sends_a_signed_event(cli: Any, tmp_path: Path) -> None:
    secret = new_secret()
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "aiwatch.toml").write_text("allow_private_targets = true\n")
    from aiwatch.settings import bundled_config_dir

    for name in ("milestones.toml", "events.toml"):
        (tmp_path / "c" / name).write_bytes((bundled_config_dir() / name).read_bytes())
    with receiving(secret, statuses=[200, 503]) as hook:
        cli("subscribers", "add", "ops", "--webhook", hook.url, "--secret", secret,
            config=tmp_path / "c")  # fmt: skip
        ok = cli("subscribers", "test", "ops", config=tmp_path / "c")
        down = cli("subscribers", "test", "ops", config=tmp_path / "c")
    assert ok.exit_code == 0 and "ops: delivered (HTTP 200" in ok.stdout
    assert down.exit_code == 3 and "not delivered (HTTP 503)" in down.stdout
    assert hook.received[0].verified and hook.received[0].body["type"] == "test"
