"""Exclude patterns are gitignore patterns, and one that matches nothing is said."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from iac_assist.cli import cli
from iac_assist.inputs import excludes as excludes_module
from iac_assist.inputs.excludes import Excludes, literal

BUCKET = 'resource "aws_s3_bucket" "b" {}\n'
TREE = {
    "main.tf": BUCKET,
    "modules/app/main.tf": BUCKET,
    "modules/app/tests/main.tf": BUCKET,
    "modules/app/deep/tests/main.tf": BUCKET,
    "examples/main.tf": BUCKET,
    "modules/app/examples/basic/main.tf": BUCKET,
    "tests/main.tf": BUCKET,
    "tests.tf": 'resource "aws_s3_bucket" "other" {}\n',  # beside main.tf: the same module
    "legacy/main.tf": BUCKET,
    "modules/legacy/main.tf": BUCKET,
    "README.md": "# notes\n",
}


def scanned(root, *patterns: str) -> list[str]:
    """The files a scan with ``--exclude`` of each pattern analyses."""
    out = CliRunner().invoke(cli, ["scan", str(root), "--format", "json", "--fail-on", "none",
                                   *[arg for p in patterns for arg in ("--exclude", p)]], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    return sorted({f["file"] for f in json.loads(out.output)["findings"]})


def errors(output: str) -> list[tuple[str, int, str, str]]:
    return [(e["file"], e["line"], e["level"], e["message"]) for e in json.loads(output)["errors"]]


@pytest.fixture
def tree(write_tree):
    return write_tree(TREE)


def test_double_star_excludes_a_folder_at_any_depth(tree):
    assert scanned(tree, "**/examples/**") == [
        "legacy/main.tf", "main.tf", "modules/app/deep/tests/main.tf", "modules/app/main.tf",
        "modules/app/tests/main.tf", "modules/legacy/main.tf", "tests.tf", "tests/main.tf"]


def test_a_star_stays_within_one_folder(tree):
    # modules/*/tests/ is anchored at the scan root: modules/app/deep/tests is two folders down.
    assert scanned(tree, "modules/*/tests/") == sorted(set(TREE) - {"modules/app/tests/main.tf", "README.md"})


def test_a_trailing_slash_matches_folders_only(tree):
    # tests/ has no slash before its end: any folder named tests, never the file tests.tf.
    kept = scanned(tree, "tests/")
    assert "tests.tf" in kept
    assert not [f for f in kept if "tests/" in f]


def test_a_name_matches_at_any_depth_and_a_leading_slash_or_dot_anchors_it(tree):
    assert "modules/legacy/main.tf" not in scanned(tree, "legacy")
    for anchored in ("/legacy", "./legacy", "./legacy/"):
        kept = scanned(tree, anchored)
        assert "legacy/main.tf" not in kept and "modules/legacy/main.tf" in kept, anchored


def test_negation_takes_back_a_file(tree):
    assert scanned(tree, "*.tf", "!tests.tf") == ["tests.tf"]
    # As in git, a file inside a folder left out cannot be taken back: the folder is not walked.
    assert "tests/main.tf" not in scanned(tree, "tests/", "!tests/main.tf")


def test_patterns_that_worked_before_still_do(tree):
    """fnmatch's `*` crossed folders; for the patterns people wrote it meant what gitignore says."""
    assert "examples/main.tf" not in scanned(tree, "examples/*")
    assert "examples/main.tf" not in scanned(tree, "examples")
    assert "modules/app/examples/basic/main.tf" not in scanned(tree, "examples")
    assert scanned(tree, "*.tf") == []


def test_a_pattern_matching_nothing_is_a_warning_from_the_command_line(tree):
    out = CliRunner().invoke(cli, ["scan", str(tree), "--exclude", "exmaples/", "--exclude", "tests/",
                                   "--format", "json", "--fail-on", "none"])
    assert out.exit_code == 0
    assert ("", 0, "warning", '--exclude "exmaples/" matches no file or folder of the scan, so it leaves '
            "nothing out") in errors(out.output)
    assert not [e for e in errors(out.output) if '"tests/"' in e[3]]
    text = CliRunner().invoke(cli, ["scan", str(tree), "--exclude", "exmaples/", "--fail-on", "none"])
    assert text.exit_code == 0
    assert 'warning: --exclude "exmaples/" matches no file or folder of the scan' in text.output


def test_a_pattern_matching_nothing_is_a_warning_at_its_line_in_the_configuration(tree):
    (tree / ".iac-assist.toml").write_text('fail-on = "none"\nexclude = ["examples/", "nowhere/**"]\n')
    out = CliRunner().invoke(cli, ["scan", str(tree), "--format", "json"])
    assert out.exit_code == 0
    assert (".iac-assist.toml", 2, "warning", 'exclude pattern "nowhere/**" in .iac-assist.toml matches no '
            "file or folder of the scan, so it leaves nothing out") in errors(out.output)
    text = CliRunner().invoke(cli, ["scan", str(tree)])
    assert '.iac-assist.toml:2: warning: exclude pattern "nowhere/**" in .iac-assist.toml matches no file' \
        in text.output
    # Given on the command line, the patterns are the command line's.
    out = CliRunner().invoke(cli, ["scan", str(tree), "--format", "json", "--exclude", "nowhere"])
    assert [e for e in errors(out.output) if "nowhere" in e[3]] == [
        ("", 0, "warning", '--exclude "nowhere" matches no file or folder of the scan, so it leaves nothing out')]


def test_model_and_baseline_say_it_too(tree, tmp_path):
    out = CliRunner().invoke(cli, ["model", str(tree), "--exclude", "exmaples"])
    assert 'warning: --exclude "exmaples" matches no file or folder of the scan' in out.stderr
    out = CliRunner().invoke(cli, ["baseline", str(tree), "--exclude", "exmaples", "--output",
                                   str(tmp_path / "b.json")])
    assert 'warning: --exclude "exmaples" matches no file or folder of the scan' in out.stderr


def test_matching_a_file_that_is_not_iac_or_a_quiet_folder_is_matching(tree):
    (tree / ".terraform" / "modules").mkdir(parents=True)
    out = CliRunner().invoke(cli, ["scan", str(tree), "--exclude", "*.md", "--exclude", ".terraform/",
                                   "--format", "json", "--fail-on", "none"])
    assert not [e for e in errors(out.output) if "matches no file" in e[3]]


def test_excludes_unit():
    excludes = Excludes(["**/examples/**", "modules/*/tests/", "nothing", "!keep.tf"])
    assert excludes.why("a/examples", folder=True) == "**/examples/**"
    assert excludes.why("modules/x/tests", folder=True) == "modules/*/tests/"
    assert excludes.why("modules/x/tests") is None  # a file of that name: the pattern is for folders
    assert excludes.why("keep.tf") is None
    assert excludes.unmatched == ["nothing"]
    assert not Excludes([])


@pytest.mark.parametrize("name", ["state.json", "we ird[1]*.json ", "!x#.json", "a\\b?.json", "#c.json"])
def test_literal_matches_exactly_one_path(name):
    excludes = Excludes([literal(f"infra/{name}")])
    assert excludes.why(f"infra/{name}") is not None
    assert excludes.why(f"infra/{name}x") is None and excludes.why(f"other/infra/{name}") is None


def test_pathspec_is_imported_only_when_there_are_patterns(tree):
    import subprocess
    import sys

    probe = ("import sys\nfrom iac_assist.cli import cli\ntry:\n    cli(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print('pathspec' in sys.modules, file=sys.stderr)\n")
    for extra, loaded in (([], "False"), (["--exclude", "tests/"], "True")):
        proc = subprocess.run([sys.executable, "-c", probe, "scan", str(tree / "main.tf"), *extra],
                              capture_output=True, text=True, timeout=120)
        assert proc.stderr.strip().splitlines()[-1] == loaded


def test_a_pattern_too_slow_to_match_is_dropped_with_a_warning(tree, monkeypatch):
    """A gitignore pattern is a regular expression, and the repository's configuration may write
    one that backtracks for ever: it is dropped (more is scanned, never less) and said."""
    slow = "*a" * 30 + "*b"
    excludes = Excludes([slow, "tests/"])
    monkeypatch.setattr(excludes_module, "MATCH_SECONDS", 0.001)  # the pattern takes about 0.4 s here
    assert excludes.why("a" * 400) is None
    assert excludes.too_slow == [slow] and excludes.unmatched == ["tests/"]
    assert excludes.why("x/tests", folder=True) == "tests/"
    monkeypatch.setattr(excludes_module, "MATCH_SECONDS", 0.0)  # every match times out
    from iac_assist.inputs.discovery import discover

    found = discover([tree], tree, ["tests/", "*.tf"])
    assert len(found.terraform) == len([name for name in TREE if name.endswith(".tf")])
    assert [p.message for p in found.problems] == [
        f"exclude pattern {p!r} takes too long to match a path (catastrophic backtracking): not applied, what it "
        "would leave out is scanned" for p in ("tests/", "*.tf")]
    assert found.unmatched_excludes == []
