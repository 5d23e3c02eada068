"""A task's state in plain words (cards and ``task show``): labels not field names, the main
switch as On/Off, choices by their description, nothing for tasks that act on one entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from nixos_settings.core.options import model as options_model
from nixos_settings.core.session import Session
from nixos_settings.core.tasks import engine
from nixos_settings.core.tasks.model import get_task, load_tasks
from nixos_settings.core.tasks.summary import NOT_SET_UP, is_action, state_summary


@pytest.fixture(scope="module")
def nixos(shared_dir: Path) -> options_model.OptionSet:
    return options_model.load_file(shared_dir / "data" / "options" /
                                   "nixos-20.09pre-options.json.gz")


def _summary(tmp_path: Path, nixos: options_model.OptionSet, body: str, task_id: str,
             limit: int = 2) -> str:
    conf = tmp_path / "configuration.nix"
    conf.write_text("{ config, pkgs, ... }:\n{\n" + body + "}\n")
    session = Session.open(conf)
    session.set_options(nixos)
    task = get_task(task_id)
    return state_summary(task, engine.read_state(session, task), limit)


def test_actions_are_told_apart_from_states() -> None:
    actions = {t.id for t in load_tasks().values() if is_action(t)}
    assert {"add-user", "remove-user", "firewall-port", "install-package"} <= actions
    assert not actions & {"ssh-server", "time-zone", "hostname", "networkmanager", "docker"}


@pytest.mark.parametrize(("body", "task", "expected"), [
    ('  time.timeZone = "Europe/Berlin";\n', "time-zone", "Time zone: Europe/Berlin"),
    ("  services.openssh.enable = true;\n  services.openssh.ports = [ 22 2222 ];\n",
     "ssh-server", "On, Port(s): 22, 2222"),
    ("  services.openssh.enable = false;\n  services.openssh.ports = [ 22 ];\n",
     "ssh-server", "Off"),
    ("", "docker", NOT_SET_UP),
    ('  users.users.alice.isNormalUser = true;\n', "add-user", ""),
    ('  networking.hostName = "tortoise";\n', "hostname", "Computer name: tortoise"),
])
def test_summaries_in_plain_words(tmp_path: Path, nixos: options_model.OptionSet, body: str,
                                  task: str, expected: str) -> None:
    assert _summary(tmp_path, nixos, body, task) == expected


def test_no_field_name_or_nix_literal_leaks(tmp_path: Path,
                                           nixos: options_model.OptionSet) -> None:
    body = ("  services.openssh.enable = true;\n  networking.networkmanager.enable = true;\n"
            '  time.timeZone = "UTC";\n  services.printing.enable = true;\n')
    for task in load_tasks().values():
        words = _summary(tmp_path, nixos, body, task.id, limit=99)
        for f in task.fields:
            assert f"{f.name}:" not in words or f.name in f.label.lower(), (task.id, words)
        assert "true" not in words and "false" not in words, (task.id, words)
