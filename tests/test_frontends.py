"""Front ends behind one protocol: a third format plugs in by registering itself, with no change to
the engine or the policies, and the engine imports no format of its own."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from iac_assist.analysis import frontends, parallel
from iac_assist.analysis.engine import scan
from iac_assist.analysis.frontend import Batch, FrontEnd, Loaded, Preparation, Read, ScanInputs, Scope
from iac_assist.inputs.discovery import DOCUMENT
from iac_assist.inputs.jsonpos import loads
from iac_assist.model import Location, ScanError, kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource

REPO = Path(__file__).resolve().parent.parent

# A toy format: {"toy": 1, "buckets": {"<name>": {"versioned": true|false}}}, one scope per file.
TOY = Normalizer("toy")


@TOY.register("toy_bucket")
def _bucket(res: SourceResource, builder: ModelBuilder) -> None:
    bucket = builder.add(res, kinds.S3_BUCKET)
    if res.get("versioned") is True:
        bucket.set("versioning", "Enabled", res.at("versioned"))


def load_toy(root: Path, read: Read, path: Path) -> tuple[list[SourceResource], list[ScanError]]:
    """One toy file's resources (module level: it runs in --jobs workers)."""
    rel = path.relative_to(root).as_posix()
    errors: list[ScanError] = []
    text = read(path, rel, errors)
    if text is None:
        return [], errors
    data, lines = loads(text)
    resources = []
    for name, body in data["buckets"].items():
        where = ("buckets", name)
        resources.append(SourceResource(
            address=f"bucket.{name}", type="toy_bucket", loc=Location(rel, lines[where]), body=body, format="toy",
            locs={(key,): Location(rel, lines[(*where, key)]) for key in body}))
    return resources, errors


class _ToyFiles:
    slow_start = False

    def __init__(self, paths: list[Path], scan: ScanInputs, prefix: object | None) -> None:
        self.scan = scan
        self.paths = [p for p in paths if _is_toy(p)]
        self.claimed = set(self.paths)
        self.units = len(self.paths)
        self.size = sum(p.stat().st_size for p in self.paths)
        self.prefix = prefix

    def batches(self, workers: int) -> list[Batch]:
        return [Batch(load_toy, (self.scan.root, self.scan.read, path)) for path in self.paths]

    def finish(self, delivered: list[object | None] | None) -> Loaded:
        out = Loaded()
        for n, path in enumerate(self.paths):
            result = delivered[n] if delivered is not None else None
            resources, errors = result if result is not None else load_toy(self.scan.root, self.scan.read, path)
            rel = path.relative_to(self.scan.root).as_posix()
            out.scopes.append(Scope(f"{self.prefix or ''}{rel}", resources))
            out.errors += errors
            out.files.add(rel)
        return out


def _is_toy(path: Path) -> bool:
    try:
        return path.name.endswith(".json") and json.loads(path.read_text()).get("toy") == 1
    except (OSError, ValueError, AttributeError):
        return False


class ToyFrontEnd:
    name = "toy"
    takes = (DOCUMENT,)
    option = "toy_scope_prefix"
    option_type = str

    def prepare(self, files: Mapping[str, list[Path]], scan: ScanInputs, options: object | None) -> _ToyFiles:
        return _ToyFiles(files.get(DOCUMENT, []), scan, options)

    @property
    def normalizer(self) -> Normalizer:
        return TOY


@pytest.fixture
def toy() -> Iterator[ToyFrontEnd]:
    front_end = frontends.register(ToyFrontEnd())
    yield front_end
    frontends.unregister("toy")


def write_toy(folder: Path) -> None:
    (folder / "store.json").write_text(json.dumps({"toy": 1, "buckets": {
        "logs": {"versioned": False}, "data": {"versioned": True}}}, indent=2))
    (folder / "more.json").write_text(json.dumps({"toy": 1, "buckets": {"archive": {}}}, indent=2))
    (folder / "package.json").write_text('{"name": "not infrastructure"}\n')


def test_the_toy_front_end_meets_the_protocol(toy: ToyFrontEnd, tmp_path: Path) -> None:
    assert isinstance(toy, FrontEnd)
    assert isinstance(toy.prepare({}, ScanInputs(tmp_path, lambda *a: None), None), Preparation)
    assert [f.name for f in frontends.front_ends()] == ["terraform", "cloudformation", "toy"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_registered_front_end_gets_findings_from_an_existing_policy(
    toy: ToyFrontEnd, tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    real = parallel.Loading._start
    monkeypatch.setattr(parallel.Loading, "_start", lambda self, n: (started.append(n), real(self, n)))
    write_toy(tmp_path)
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "tf" {\n  bucket = "tf"\n}\n')
    result = scan([tmp_path], select=["s3-versioning-missing"], jobs=jobs)
    found = [(f.resource, f.loc.file, f.loc.line) for f in result.findings]
    assert found == [("aws_s3_bucket.tf", "main.tf", 1), ("bucket.archive", "more.json", 4),
                     ("bucket.logs", "store.json", 4)]
    assert result.files == ["main.tf", "more.json", "store.json"]  # not package.json: no front end took it
    assert result.errors == []
    assert started == ([] if jobs == 1 else [2])  # its files were loaded in workers too


def test_a_registered_front_end_has_its_option(toy: ToyFrontEnd, tmp_path: Path) -> None:
    write_toy(tmp_path)
    result = scan([tmp_path], select=["s3-versioning-missing"], toy_scope_prefix="toy:")
    assert {c.scope for c in result.graph.components.values()} == {"toy:more.json", "toy:store.json"}


def test_an_option_no_front_end_reads_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="toy_scope_prefix"):
        scan([tmp_path], toy_scope_prefix="toy:")


def test_templates_stay_with_cloudformation_and_plans_with_terraform(toy: ToyFrontEnd, tmp_path: Path) -> None:
    # The toy front end is offered only what the built-in ones left.
    (tmp_path / "stack.json").write_text(json.dumps({"toy": 1, "AWSTemplateFormatVersion": "2010-09-09",
                                                     "Resources": {"B": {"Type": "AWS::S3::Bucket"}}}))
    result = scan([tmp_path], select=["s3-versioning-missing"])
    assert [(f.resource, f.rule_id) for f in result.findings] == [("B", "IAC-S3-006")]
    assert all(c.source_type == "AWS::S3::Bucket" for c in result.graph.components.values())


@pytest.mark.parametrize("module", ["engine.py", "parallel.py"])
def test_the_engine_imports_no_format(module: str) -> None:
    tree = ast.parse((REPO / "iac_assist" / "analysis" / module).read_text())
    imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not [name for name in imported if "parsers" in name]


def test_serial_loading_needs_no_batches(tmp_path: Path) -> None:
    # One unit of work: no worker, the front end loads in finish().
    write_toy(tmp_path)
    (tmp_path / "more.json").unlink()
    prepared = _ToyFiles([tmp_path / "store.json"], ScanInputs(tmp_path, parallel_read()), None)
    loading = parallel.Loading([prepared], (), 4)
    assert loading.delivered(prepared) is None
    assert [s.name for s in prepared.finish(None).scopes] == ["store.json"]


def parallel_read() -> Read:
    from iac_assist.inputs.discovery import read_text

    return read_text


def test_an_option_of_the_wrong_type_is_named(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="template_options must be a TemplateOptions, not dict"):
        scan([tmp_path], template_options={"Env": "prod"})
