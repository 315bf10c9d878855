"""The result cache (iac_assist/analysis/result_cache.py): a repeated scan of an unchanged
repository reads the outcome of the last one and prints the same bytes; any change to what the
scan depends on (a file, a new file in a module, a variables file, a variable, a policy of one's
own) is a miss, scanned again; a damaged or forged entry is never trusted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis import engine, result_cache
from iac_assist.cli import cli
from iac_assist.inputs import parse_cache, tree_state
from iac_assist.inputs.tree_state import tree_digest

REPO = Path(__file__).resolve().parent.parent

ROOT_MODULE = """\
variable "public" {
  type    = bool
  default = false
}

module "db" {
  source = "./modules/db"
  public = var.public
}
"""
DB_MODULE = """\
variable "public" {
  type = bool
}

resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t4g.medium"
  storage_encrypted   = true
  publicly_accessible = var.public
}
"""
ANOTHER = """\
resource "aws_db_instance" "reports" {
  identifier          = "reports"
  engine              = "postgres"
  instance_class      = "db.t4g.medium"
  storage_encrypted   = true
  publicly_accessible = true
}
"""
POLICY = '''\
from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import kinds


@policy(id="ACME-DB-001", control="acme-db-tagged", title="Database not tagged", severity="{severity}",
        stride="R", cwe=1099, remediation="Tag it.")
def db_tagged(graph):
    """Every database is tagged."""
    for db in graph.of_kind(kinds.RDS_INSTANCE):
        yield Hit(db, db.loc, "database is not tagged")
'''


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "modules" / "db").mkdir(parents=True)
    (root / "main.tf").write_text(ROOT_MODULE)
    (root / "terraform.tfvars").write_text("public = false\n")
    (root / "modules" / "db" / "main.tf").write_text(DB_MODULE)
    return root


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch):
    """One item per scan the engine really ran (not served by the result cache)."""
    from iac_assist.analysis import custom_policies

    monkeypatch.setattr(result_cache, "enabled", True)
    seen: list[int] = []
    real = engine.scan

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "scan", spy)
    yield seen
    custom_policies.reset()  # CliRunner runs in this process: leave no policy of one's own behind


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


def scan(repo: Path, cache: Path, *more: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    return run("scan", str(repo), "--format", "json", "--cache-dir", str(cache), "--jobs", "1", *more, env=env)


def fresh(repo: Path, *more: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    return run("scan", str(repo), "--format", "json", "--no-cache", "--jobs", "1", *more, env=env)


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_a_repeated_scan_reads_the_result_and_prints_the_same_bytes(
        repo: Path, tmp_path: Path, scans: list[int], fmt: str) -> None:
    (repo / "terraform.tfvars").write_text("public = true\n")
    cache = str(tmp_path / "cache")
    uncached = run("scan", str(repo), "--format", fmt, "--no-cache", "--jobs", "1")
    assert uncached[0] == 1, "the fixture has a finding"
    first = run("scan", str(repo), "--format", fmt, "--cache-dir", cache)
    scans.clear()
    again = run("scan", str(repo), "--format", fmt, "--cache-dir", cache)
    serial = run("scan", str(repo), "--format", fmt, "--cache-dir", cache, "--jobs", "1")
    assert scans == [], "served by the cache"
    assert first == again == serial == uncached


def test_the_options_of_the_report_do_not_miss_but_the_analysis_options_do(
        repo: Path, tmp_path: Path, scans: list[int]) -> None:
    cache = tmp_path / "cache"
    scan(repo, cache)
    run("scan", str(repo), "--format", "text", "--cache-dir", str(cache))
    scans.clear()
    run("scan", str(repo), "--format", "text", "--cache-dir", str(cache), "--color", "always", "--show-source")
    run("scan", str(repo), "--format", "markdown", "--cache-dir", str(cache), "--report", f"sarif={tmp_path / 'r'}")
    assert scans == [], "how the result is shown or gated is not part of the key"
    for more in (["--var", "public=true"], ["--select", "IAC-RDS-001"], ["--no-inline-suppressions"],
                 ["--max-file-size", "100000"], ["--exclude", "modules/**"]):
        scans.clear()
        assert scan(repo, cache, *more) == fresh(repo, *more), more
        assert len(scans) == 2, f"{more}: scanned again"


def test_a_terraform_variable_from_the_environment_misses(repo: Path, tmp_path: Path, scans: list[int]) -> None:
    cache = tmp_path / "cache"
    (repo / "terraform.tfvars").unlink()  # it would win over the environment
    quiet = scan(repo, cache)
    env = {"TF_VAR_public": "true"}
    loud = scan(repo, cache, env=env)
    assert loud == fresh(repo, env=env)
    assert loud != quiet
    scans.clear()
    assert scan(repo, cache, env={"UNRELATED": "x"}) == quiet
    assert scans == [], "other environment variables are not part of the key"


@pytest.mark.parametrize("change", ["edit a file", "new file in a module", "tfvars", "delete a file", "rename"])
def test_a_changed_repository_is_scanned_again(repo: Path, tmp_path: Path, scans: list[int], change: str) -> None:
    cache = tmp_path / "cache"
    before = scan(repo, cache)
    assert scan(repo, cache) == before
    if change == "edit a file":
        (repo / "modules" / "db" / "main.tf").write_text(DB_MODULE.replace("var.public", "true"))
    elif change == "new file in a module":
        (repo / "modules" / "db" / "reports.tf").write_text(ANOTHER)
    elif change == "tfvars":
        (repo / "terraform.tfvars").write_text("public = true\n")
    elif change == "delete a file":
        (repo / "modules" / "db" / "main.tf").unlink()
    else:
        (repo / "modules" / "db" / "main.tf").rename(repo / "modules" / "db" / "db.tf")
    scans.clear()
    after = scan(repo, cache)
    assert scans == [1], "scanned again"
    assert after == fresh(repo)
    assert after != before


def test_a_changed_variables_file_outside_the_repository_misses(repo: Path, tmp_path: Path, scans: list[int]) -> None:
    cache = tmp_path / "cache"
    values = tmp_path / "prod.tfvars"
    values.write_text("public = false\n")
    before = scan(repo, cache, "--var-file", str(values))
    values.write_text("public = true\n")
    after = scan(repo, cache, "--var-file", str(values))
    assert after == fresh(repo, "--var-file", str(values))
    assert after != before


def test_a_changed_policy_of_ones_own_misses(repo: Path, tmp_path: Path, scans: list[int]) -> None:
    cache = tmp_path / "cache"
    mine = tmp_path / "policies"
    mine.mkdir()
    (mine / "acme.py").write_text(POLICY.format(severity="low"))
    low = scan(repo, cache, "--policies-dir", str(mine))
    assert '"ACME-DB-001"' in low[1]
    (mine / "acme.py").write_text(POLICY.format(severity="high"))
    high = scan(repo, cache, "--policies-dir", str(mine))
    assert high == fresh(repo, "--policies-dir", str(mine))
    assert high != low


@pytest.mark.parametrize("damage", ["corrupt", "forged", "truncated"])
def test_a_damaged_or_forged_entry_is_a_miss(repo: Path, tmp_path: Path, scans: list[int], damage: str) -> None:
    cache = tmp_path / "cache"
    first = scan(repo, cache)
    entries = [p for p in cache.glob("??/*") if not p.name.startswith(".")]
    assert entries
    for entry in entries:
        data = entry.read_bytes()
        if damage == "corrupt":
            entry.write_bytes(data[:-10] + bytes(b ^ 0xFF for b in data[-10:]))
        elif damage == "forged":  # a valid pickle without the key's signature
            entry.write_bytes(data[:len(parse_cache.FORMAT)] + b"\0" * 32 + data[len(parse_cache.FORMAT) + 32:])
        else:
            entry.write_bytes(data[:len(data) // 2])
    scans.clear()
    assert scan(repo, cache) == first
    assert scans == [1], "scanned again"


def test_a_cache_folder_inside_the_scanned_repository_is_refused(repo: Path, scans: list[int]) -> None:
    inside = repo / ".cache"
    result = CliRunner().invoke(cli, ["scan", str(repo), "--format", "json", "--cache-dir", str(inside)])
    assert "inside the scanned" in result.stderr
    CliRunner().invoke(cli, ["scan", str(repo), "--format", "json", "--cache-dir", str(inside)])
    assert len(scans) == 2
    assert not inside.exists()


def test_no_cache_writes_nothing(repo: Path, tmp_path: Path, scans: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "default-cache"
    monkeypatch.setattr(parse_cache, "default_directory", lambda: folder)
    fresh(repo)
    fresh(repo)
    assert len(scans) == 2
    assert not folder.exists()
    scan(repo, folder)
    assert [p for p in folder.glob("??/*")], "the same scan with the cache keeps entries"


def test_new_since_is_never_served_from_the_cache(repo: Path, tmp_path: Path, scans: list[int]) -> None:
    # --new-since reads git, which the key does not cover.
    cache = tmp_path / "cache"
    scan(repo, cache)
    scans.clear()
    scan(repo, cache, "--new-since", "HEAD")  # not a repository: a usage error, after the analysis was asked for
    scan(repo, cache, "--new-since", "HEAD")
    assert len(scans) == 2


def test_the_tree_digest_sees_names_links_and_contents(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    (root / "a").mkdir(parents=True)
    (root / "a" / "x.tf").write_text("x")
    (root / ".git").mkdir()
    (root / ".git" / "index").write_text("1")
    seen = {tree_digest(root, 1 << 20)}
    (root / ".git" / "index").write_text("2")  # never read by a scan
    assert tree_digest(root, 1 << 20) in seen
    for change in (lambda: (root / "a" / "x.tf").write_text("yy"), lambda: (root / "a" / "y.tf").write_text(""),
                   lambda: (root / "b").mkdir(), lambda: os.symlink("a/x.tf", root / "link"),
                   lambda: (root / "a" / "y.tf").rename(root / "a" / "z.tf")):
        change()
        digest = tree_digest(root, 1 << 20)
        assert digest not in seen
        seen.add(digest)
    assert tree_digest(root, 1 << 20, max_entries=3) is None, "too many entries: no digest, no cache"
    assert tree_digest(root, 1 << 20, max_bytes=1) is None, "too much to hash: no digest, no cache"


def test_a_result_bounded_by_time_is_not_kept(repo: Path, tmp_path: Path, scans: list[int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # A pattern dropped for taking too long on a busy machine may apply on the next run.
    from iac_assist.inputs import excludes

    class Slow:
        def match(self, path: str, timeout: float) -> None:
            raise TimeoutError

    real = excludes.Excludes._match
    monkeypatch.setattr(excludes.Excludes, "_match", lambda self, i, compiled, path: real(self, i, Slow(), path))
    cache = tmp_path / "cache"
    first = scan(repo, cache, "--exclude", "modules/**")
    assert "takes too long to match a path" in CliRunner().invoke(
        cli, ["scan", str(repo), "--cache-dir", str(cache), "--exclude", "modules/**"]).output
    scans.clear()
    assert scan(repo, cache, "--exclude", "modules/**") == first
    assert scans == [1], "scanned again"


def test_what_a_time_bound_says_is_what_the_code_says() -> None:
    sources = "".join((REPO / path).read_text(encoding="utf-8") for path in (
        "parsers/terraform/functions.py", "parsers/terraform/budget.py", "iac_assist/inputs/discovery.py"))
    for marker in result_cache.TIME_BOUND:
        assert marker in sources


def test_a_second_walk_reads_again_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    for name in ("a.tf", "b.tf"):
        (root / name).write_text(name)
    seen: dict = {}
    first = tree_digest(root, 1 << 20, seen=seen)
    assert seen == {}, "changed a moment ago: read again next time (a write in the same clock tick keeps its times)"
    monkeypatch.setattr(tree_state, "RACY_SECONDS", -1.0)  # as if the files were old
    assert tree_digest(root, 1 << 20, seen=seen) == first
    assert sorted(Path(p).name for p in seen) == ["a.tf", "b.tf"]
    read: list[str] = []
    real = open

    def spy(path: str, *args: object) -> object:
        read.append(Path(path).name)
        return real(path, *args)  # type: ignore[call-overload]

    monkeypatch.setattr(tree_state, "open", spy, raising=False)
    assert tree_digest(root, 1 << 20, seen=seen) == first
    assert read == []
    (root / "a.tf").write_text("changed")
    assert tree_digest(root, 1 << 20, seen=seen) != first
    assert read == ["a.tf"]


def test_a_cache_folder_in_the_scan_root_of_files_named_in_two_folders_is_refused(repo: Path, scans: list[int]) -> None:
    # The root is their common folder: a repository must not provide the cache's key and entries.
    inside = repo / ".iac-assist-cache"
    (repo / "env").mkdir()
    (repo / "env" / "prod.tf").write_text(ANOTHER)
    files = [str(repo / "env" / "prod.tf"), str(repo / "modules" / "db" / "main.tf")]
    result = CliRunner().invoke(cli, ["scan", *files, "--format", "json", "--cache-dir", str(inside)])
    assert "inside the scanned" in result.stderr
    assert not inside.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_the_tree_digest_never_opens_a_fifo_nor_follows_links_out(tmp_path: Path) -> None:
    # Hostile trees: a FIFO (opening it would wait for a writer forever), a link loop and a link
    # to a folder outside the root: the digest names them and reads none of them.
    import threading

    root = tmp_path / "tree"
    root.mkdir()
    (root / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    os.mkfifo(root / "pipe.tf")
    os.symlink("loop", root / "loop")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text("x")
    os.symlink(outside, root / "out")
    digests: list[str | None] = []
    worker = threading.Thread(target=lambda: digests.extend([tree_digest(root, 1 << 20), tree_digest(root, 1 << 20)]),
                              daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "the digest waited on the FIFO"
    assert digests[0] is not None and digests[0] == digests[1]
    (outside / "secret.tf").write_text("changed outside the root")
    assert tree_digest(root, 1 << 20) == digests[0]  # what is outside is never read


def test_the_code_identity_changes_with_any_rewritten_source_even_same_size_and_time(tmp_path: Path) -> None:
    import hashlib

    def identity() -> str:
        digest = hashlib.sha256()
        result_cache._add_sources(digest, str(tmp_path))
        return digest.hexdigest()

    package = tmp_path / "pkg"
    (package / "__pycache__").mkdir(parents=True)
    module = package / "rules.py"
    module.write_text("LIMIT = 1\n")
    first = identity()
    assert identity() == first
    (package / "__pycache__" / "rules.cpython-311.pyc").write_bytes(b"bytecode")
    assert identity() == first  # compiled files are not the code
    before = module.stat()
    module.write_text("LIMIT = 2\n")  # same size; the time set back as a reproducible build would
    os.utime(module, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert identity() != first
