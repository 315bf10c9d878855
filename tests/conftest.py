from __future__ import annotations

import os

# Setting or reading a fact a kind does not declare raises (iac_assist/model/vocabulary/).
os.environ.setdefault("IAC_ASSIST_STRICT_VOCABULARY", "1")

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

# The policy tests' harness asserts too: show its failures as pytest shows a test's own.
pytest.register_assert_rewrite("tests.policy_examples")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SEED = FIXTURES / "seed-app"

SEED_CONTROLS = {
    "s3-public-read",
    "s3-public-write",
    "s3-public-access-block-missing",
    "lb-listener-plaintext",
    "db-publicly-accessible",
    "db-in-public-subnet",
    "db-open-security-group",
}


def findings_of(*paths: Path) -> set[tuple[str, str, str, int]]:
    """(control, resource, file, line) of every finding of a scan."""
    from iac_assist.analysis.engine import scan

    result = scan(list(paths))
    assert not result.has_errors, [str(e) for e in result.errors]
    return {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings}


@pytest.fixture
def write_tree(tmp_path: Path):
    """Write {relative path: text} under tmp_path and return tmp_path."""

    def write(files: dict[str, str]) -> Path:
        for rel, text in files.items():
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return tmp_path

    return write


@pytest.fixture(scope="session")
def shared_tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder for the whole run: under pytest-xdist the one its workers' folders are in (each
    worker is a session of its own, with its own base folder), else the session's base folder."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_once(target: Path, build: Callable[[Path], None]) -> Path:
    """``target``, built by ``build`` into an empty folder unless it is there already. Workers
    racing to build it each build their own and rename it into place: the first rename wins,
    the others' copies are removed, and nobody sees a half-built one."""
    if target.exists():
        return target
    scratch = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}-"))
    build(scratch)
    try:
        scratch.rename(target)
    except OSError:  # another worker's rename came first
        if not target.exists():
            raise
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-snapshots", action="store_true",
                     help="rewrite tests/snapshots/ and policies/examples/*/expected.json from the current results")


@pytest.fixture
def update_snapshots(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.fixture(autouse=True, scope="session")
def _parse_cache_of_the_tests(tmp_path_factory: pytest.TempPathFactory):
    """Commands the tests run keep their parse cache in a folder of the test session, never the
    user's: every later scan of the session then reads its parse results from it (the cache's
    results are checked by the same assertions as fresh ones)."""
    from iac_assist.analysis import result_cache
    from iac_assist.inputs import parse_cache

    folder = tmp_path_factory.mktemp("parse-cache")
    real = parse_cache.default_directory
    parse_cache.default_directory = lambda: folder
    # Tests patch code in the process, which the result cache's key (the code on disk) cannot
    # see: it is on only where a test asks (tests/test_result_cache.py).
    result_cache.enabled = False
    yield folder
    parse_cache.default_directory = real
    result_cache.enabled = True


@pytest.fixture(autouse=True, scope="session")
def _hcl_tables(_parse_cache_of_the_tests: Path) -> None:
    """The HCL parser's tables (parsers/terraform/hcl_tables.py) are made once, as a user's first
    scan makes them, even where Python is told to write no bytecode: every parse of the session,
    in process and in the commands it runs, goes through them as a user's does. After the
    session's cache folder is in place: tables found in the user's own would not be seen later."""
    from iac_assist.parsers.terraform import hcl_parser

    assert hcl_parser.prepare_tables() is not None


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the HCL parser was really run on (not served by the cache)."""
    seen: list[str] = []
    from iac_assist.parsers.terraform import hcl

    real = hcl.parse

    def spy(text: str) -> object:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(hcl, "parse", spy)
    return seen
