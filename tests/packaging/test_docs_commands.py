"""Every command line the guides show names a command that exists and options it accepts.

The docs drift silently when an option is renamed; this reads each `passeur COMMAND ...` in
README.md and docs/*.md (in ```sh blocks and in inline code) and asks click's own
declarations, without running anything. `passeur sandbox SYSTEM --NAME` options are the
system's declared `sandbox_options`, so they are checked against those.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from passeur.cli import _load_commands
from passeur.cli.app import cli
from passeur.plugins import load_registry

ROOT = Path(__file__).resolve().parents[2]
GUIDES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)")
INLINE = re.compile(r"`(passeur [^`]+)`")
SHELL_FENCES = ("", "sh", "console", "bash", "shell", "text")  # blocks of command lines
OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][\w-]*)")


def _command_lines() -> list[tuple[str, str]]:
    """(file:line, the command text after `passeur `) for every command line shown."""
    found: list[tuple[str, str]] = []
    for guide in GUIDES:
        inside = shell = False
        for number, line in enumerate(guide.read_text(encoding="utf-8").splitlines(), 1):
            fence = FENCE.match(line.strip())
            if fence:
                inside = not inside
                shell = inside and fence.group(1) in SHELL_FENCES
                continue
            where = f"{guide.relative_to(ROOT)}:{number}"
            texts = INLINE.findall(line)
            if shell:
                code = line.split(" #", 1)[0]
                texts += [m.group(0) for m in re.finditer(r"passeur [^|;&]+", code)]
            for text in texts:
                words = text.split()
                if words[0] == "passeur" and len(words) > 1 and re.fullmatch(r"[a-z]+", words[1]):
                    found.append((where, text.split(" ", 1)[1]))
    return found


LINES = _command_lines()


def _accepted(command: click.Command) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help", "-h"}


def test_the_guides_show_command_lines() -> None:
    """The extraction itself works: the README's tour alone shows twenty-odd commands."""
    assert len({w for w, _ in LINES if w.startswith("README.md")}) >= 20


@pytest.mark.parametrize(("where", "text"), LINES, ids=[w for w, _ in LINES])
def test_command_and_options_exist(where: str, text: str) -> None:
    _load_commands()
    ctx = click.Context(cli)
    words = text.replace("[", " ").replace("]", " ").replace("|", " ").split()
    command = cli.get_command(ctx, words[0])
    assert command is not None, f"{where}: `passeur {words[0]}` is no command"
    for word in words[1:]:
        if isinstance(command, click.Group) and word in command.commands:
            command = command.commands[word]
    accepted = _accepted(command)
    if command.name == "sandbox":
        system = next((w for w in words[1:] if not w.startswith("-")), "")
        if re.fullmatch(r"[a-z0-9]+", system):
            spec, _ = load_registry().resolve(system)
            accepted |= {f"--{o.name.replace('_', '-')}" for o in spec.sandbox_options}
        else:  # a placeholder such as SYSTEM: its --NAME are any system's
            accepted |= {o for o in OPTION.findall(text) if o.isupper() or o[2:].isupper()}
    unknown = [o for o in OPTION.findall(" ".join(words)) if o not in accepted]
    assert not unknown, f"{where}: `passeur {command.name}` does not accept {unknown}: {text}"


NAMING = [(w, t) for w, t in LINES if " --from " in t or " --to " in t]


@pytest.mark.parametrize(("where", "text"), NAMING, ids=[w for w, _ in NAMING])
def test_systems_named_by_from_and_to_exist(where: str, text: str) -> None:
    """`--from acomba`, `--to facturx_basic`: a system, variant or alias some plugin provides."""
    registry = load_registry()
    for name in re.findall(r"--(?:from|to) ([a-z][a-z0-9_]*)\b", text):
        registry.resolve(name)  # raises UnknownSystemError, naming the known ones


def test_the_readme_tour_shows_every_builtin_command() -> None:
    """The other direction: a new command is not finished until the README's tour names it."""
    from passeur.cli import BUILTIN_COMMANDS

    shown = {t.split()[0] for w, t in LINES if w.startswith("README.md")}
    assert sorted(set(BUILTIN_COMMANDS) - shown) == []
