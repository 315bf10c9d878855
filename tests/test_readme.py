"""The README's shell snippets work as printed.

Every ```` ```sh ```` block of README.md is read here, and its ``iac-assist`` commands are run in a
temporary copy of the repository's tracked files (a git repository of one commit, with
``origin/main`` pointing at it, so ``--base origin/main`` reads as in a fresh clone): files they
write (``--output``, ``>``) land in the copy. The conventions a snippet follows:

- **Expected exit**: 0, unless the line's comment says ``# exits N`` (or ``# exit N``): a scan of
  the insecure app closes the gate, ``# exits 1``.
- **What runs**: each line is cut at ``&&``, ``||`` and ``;``; the pieces that start with
  ``iac-assist`` run (with bash, so quotes, ``$VAR`` and redirections work as printed), pieces of
  other tools (``dot``, ``terraform``, ``pip``, ``echo``) do not. Assignments alone on a line
  (``app=fixtures/...``) are kept for the lines after them, as the shell keeps them.
- **Templates**: a block whose words stand for the reader's own (``infra``, ``deployed.json``) is
  preceded by ``<!-- readme-test: template: WORD=PATH ... -->`` (invisible on GitHub): the test
  replaces each WORD by its PATH in the repository, then runs the block. A placeholder the test
  cannot run (``PATH``, ``REF``, ``FILE``) must not appear in a block that is not marked.
- **Not run**: ``<!-- readme-test: skip: REASON -->`` before a block that is no iac-assist example
  (the test suite itself, the benchmark against Checkov).
- **Installation**: ``<!-- readme-test: fresh -->`` marks the quick start, which the slow test runs
  whole, verbatim (a new virtualenv, ``pip install .`` from the package index), in the copy; each
  ``echo "exit code: $?"`` there must print the exit its line's comment states.

The YAML snippets (pre-commit, the Action) must not name a release tag that does not exist: they
pin ``<40-hex commit>`` or a real commit, or a tag the repository has.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
MARKER = re.compile(r"<!--\s*readme-test:\s*(\w+)\s*:?\s*(.*?)\s*-->")
EXITS = re.compile(r"#.*?\bexits? (\d+)\b")
PLACEHOLDERS = re.compile(r"\b(PATH|REF|FILE|DIR|GLOB|PATTERN|ID)\b|\[--|\|")
ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=\S+$")


@dataclass
class Snippet:
    line: int
    """Line of the README where the block's first command is."""
    text: str
    marker: str = ""
    argument: str = ""
    commands: list[tuple[int, str, int]] = field(default_factory=list)
    """(README line, command to run, expected exit) for each iac-assist piece."""


def snippets() -> list[Snippet]:
    lines = README.read_text(encoding="utf-8").splitlines()
    found: list[Snippet] = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == "```sh":
            start = i + 1
            end = next(j for j in range(start, len(lines)) if lines[j].strip() == "```")
            marker = MARKER.match(lines[i - 1].strip()) if i else None
            snippet = Snippet(start + 1, "\n".join(lines[start:end]), *(marker.groups() if marker else ("", "")))
            snippet.commands = _commands(lines[start:end], start + 1, _words(snippet))
            found.append(snippet)
            i = end
        i += 1
    return found


def _words(snippet: Snippet) -> dict[str, str]:
    if snippet.marker != "template":
        return {}
    return dict(pair.split("=", 1) for pair in snippet.argument.split())


def _commands(lines: list[str], first: int, words: dict[str, str]) -> list[tuple[int, str, int]]:
    prelude: list[str] = []
    out = []
    for number, line in enumerate(lines, start=first):
        code, _, comment = line.partition(" #")
        code = code.strip()
        if not code or code.startswith("#"):
            continue
        for word, path in words.items():
            code = re.sub(rf"(?<![\w./-]){re.escape(word)}(?![\w-])", path, code)
        if ASSIGNMENT.match(code):
            prelude.append(code)
            continue
        expected = EXITS.search("#" + comment)
        for piece in re.split(r"&&|\|\||;", code):
            piece = piece.strip()
            if piece.startswith("iac-assist "):
                out.append((number, "; ".join([*prelude, piece]), int(expected.group(1)) if expected else 0))
    return out


SNIPPETS = snippets()


def copy_of_repository(target: Path) -> Path:
    """The repository's tracked files (as in the working tree) in ``target``, committed, with
    ``origin/main`` at that commit."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
    git = ["git", "-c", "user.name=readme", "-c", "user.email=readme@example.invalid", "-c", "commit.gpgsign=false"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "readme"], ["update-ref", "refs/remotes/origin/main",
                                                                              "HEAD"]):
        subprocess.run([*git, *args], cwd=target, check=True, capture_output=True)
    return target


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    if shutil.which("git") is None or shutil.which("bash") is None:
        pytest.skip("needs git and bash")
    return copy_of_repository(tmp_path_factory.mktemp("readme") / "repo")


def runner_env(tmp: Path) -> dict[str, str]:
    """The environment of a snippet: this interpreter's iac-assist first on PATH, a job summary
    file as on a GitHub runner, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IAC_ASSIST_", "GITHUB_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["GITHUB_STEP_SUMMARY"] = str(tmp / "step-summary.md")
    env["NO_COLOR"] = "1"
    return env


def test_the_readme_has_the_snippets_this_test_runs():
    assert len(SNIPPETS) >= 5
    assert sum(len(s.commands) for s in SNIPPETS) >= 10
    for snippet in SNIPPETS:
        assert snippet.marker in ("", "template", "skip", "fresh"), f"README.md:{snippet.line}: {snippet.marker}"
        if snippet.marker == "skip":
            assert snippet.argument, f"README.md:{snippet.line}: say why the block is not run"
        if snippet.marker == "template":
            words = _words(snippet)
            assert words and all(re.search(rf"(?<![\w./-]){re.escape(w)}(?![\w-])", snippet.text) for w in words), \
                f"README.md:{snippet.line}: a template word that the block does not use"
            assert all((REPO / path).exists() for path in words.values()), f"README.md:{snippet.line}"


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if s.marker != "skip"], ids=lambda s: f"README.md:{s.line}")
def test_no_placeholder_is_left_in_a_runnable_snippet(snippet):
    for number, command, _ in snippet.commands:
        assert not PLACEHOLDERS.search(command.split("; ")[-1]), \
            f"README.md:{number}: make `{command}` concrete, or mark the block as a template"


@pytest.mark.parametrize("snippet", [s for s in SNIPPETS if s.commands and s.marker != "skip"],
                         ids=lambda s: f"README.md:{s.line}")
def test_each_command_exits_as_documented(snippet, checkout, tmp_path):
    """A block's commands in order, as a reader runs them (a baseline is written, then read)."""
    if shutil.which("iac-assist", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("iac-assist is not installed beside this interpreter (pip install -e '.[test]')")
    for number, command, expected in snippet.commands:
        proc = subprocess.run(["bash", "-c", command], cwd=checkout, env=runner_env(tmp_path), capture_output=True,
                              text=True, timeout=600)
        assert proc.returncode == expected, (f"README.md:{number}: `{command}` exited {proc.returncode}, the "
                                             f"README says {expected}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


@pytest.mark.slow  # a virtualenv and pip install . from the package index: about a minute
def test_the_quick_start_works_on_a_fresh_checkout(tmp_path):
    if shutil.which("git") is None or shutil.which("bash") is None:
        pytest.skip("needs git and bash")
    (fresh,) = [s for s in SNIPPETS if s.marker == "fresh"]
    checkout = copy_of_repository(tmp_path / "repo")
    env = {k: v for k, v in runner_env(tmp_path).items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    # The machine's python3, not this test's virtualenv: as a reader's shell finds it.
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep)
                                  if not (Path(p) / "pyvenv.cfg").exists() and not (Path(p).parent / "pyvenv.cfg")
                                  .exists())
    proc = subprocess.run(["bash", "-c", fresh.text], cwd=checkout, env=env, capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    for line in fresh.text.splitlines():
        expected = EXITS.search(line.partition(" #")[2] and "#" + line.partition(" #")[2])
        if 'echo "exit code: $?"' in line:
            assert f"exit code: {expected.group(1) if expected else 0}" in proc.stdout, proc.stdout[-3000:]


def test_no_snippet_names_a_release_that_does_not_exist():
    tags = set(subprocess.run(["git", "tag"], cwd=REPO, capture_output=True, text=True).stdout.split())
    blocks = re.findall(r"^```ya?ml\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.M | re.S)
    # What a reader copies: the blocks' YAML, not their comments (which show a future tag's form).
    text = "\n".join(re.sub(r"\s#\s.*", "", line) for block in blocks for line in block.splitlines())
    pins = re.findall(r"(?:rev:\s*|iac-assist/iac-assist@)([^\s#`'\"]+(?: commit>)?)", text)
    assert pins, "the pre-commit and Action snippets pin a revision"
    for pin in pins:
        assert pin == "<40-hex commit>" or re.fullmatch(r"[0-9a-f]{40}", pin) or pin in tags, \
            f"README.md names {pin!r}: no such tag; pin a commit (<40-hex commit>)"


def usage() -> dict[str, str]:
    """The synopsis of each command in the README's Usage section: command → its text."""
    text = README.read_text(encoding="utf-8").split("## Usage", 1)[1]
    block = text.split("```\n", 2)[1]
    out: dict[str, str] = {}
    command = ""
    for line in block.splitlines():
        if line.startswith("iac-assist "):
            command = line.split()[1]
        out[command] = out.get(command, "") + " " + line
    return out


@pytest.mark.parametrize(("command", "synopsis"), sorted(usage().items()))
def test_the_usage_synopsis_names_only_options_and_formats_the_command_has(command, synopsis):
    from click.testing import CliRunner

    from iac_assist.cli import cli

    help_text = CliRunner().invoke(cli, [command, "--help"], terminal_width=200).output
    for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", synopsis):
        assert re.search(rf"(?<![\w-]){option}(?![\w-])", help_text), f"README: `iac-assist {command} {option}`"
    formats = re.search(r"--format ([a-z|]+)", synopsis)
    if formats:
        for name in formats.group(1).split("|"):
            assert re.search(rf"\b{name}\b", help_text.split("--format", 1)[1].split("\n  -", 1)[0]), \
                f"README: `iac-assist {command} --format {name}`"
