"""Findings already known: a baseline file, or what a git revision already had.

``iac-assist baseline PATH --output FILE`` records the findings of today by fingerprint (rule,
resource, file and cause: no line, so a finding keeps its fingerprint when lines shift, and a
renamed resource is a new finding). ``scan --baseline FILE`` then leaves those out of the report
and the gate. The file is small, sorted and free of lines and dates, so it diffs well::

    {
      "version": 1,
      "root": "infra",              # the scan root, relative to this file's folder
      "findings": [
        {"fingerprint": "...", "rule_id": "IAC-S3-001", "resource": "aws_s3_bucket.site",
         "file": "static.tf", "cause": "acl=public-read"}
      ]
    }

Fingerprints hold file paths relative to the scan root; when a later scan has another root
(another working folder, other paths named), the recorded findings are re-expressed relative to
it. Suppressed findings are not recorded: when a suppression expires or is removed, its finding
comes back.

``scan --new-since REF`` needs no file: the scanned paths are also analysed as they were at the
git revision REF, and what was found there is known. Their files are read from git objects
(``git ls-tree`` and ``git cat-file``, which apply no filters and run no hooks) into a temporary
folder; nothing is checked out in the working tree and nothing from the repository runs.
``model --base REF`` reads a revision the same way (``at_revision``) to compare threat models.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from iac_assist.analysis.findings import Finding, fingerprint
from iac_assist.inputs.discovery import MAX_FILE_BYTES, SKIP_DIRS, TERRAFORM_SUFFIXES, terraform_files
from iac_assist.model import ScanError

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult

VERSION = 1
MAX_TREE_BYTES = 512 * 1024 * 1024
"""Refuse to copy out more than this from a revision: the scan is about infrastructure code."""


class BaselineError(ValueError):
    """A baseline file or a git revision that cannot be used (the CLI exits with 2)."""


@dataclass(frozen=True)
class Baseline:
    """The findings recorded in a baseline file."""

    entries: tuple[dict[str, str], ...]
    root: Path | None
    """The scan root they were recorded against, when the file says."""
    path: Path | None = None

    def known(self, root: Path) -> set[str]:
        """The recorded fingerprints as a scan rooted at ``root`` computes them."""
        out = set()
        for entry in self.entries:
            out.add(entry["fingerprint"])
            if self.root is None or self.root == root or not {"cause", "file"} <= entry.keys():
                continue
            moved = os.path.relpath(self.root / entry["file"], root)
            if not moved.startswith(".."):
                out.add(fingerprint(entry["rule_id"], entry["resource"], Path(moved).as_posix(), entry["cause"]))
        return out


def entries(findings: Iterable[Finding]) -> list[dict[str, str]]:
    """One record per finding, sorted; suppressed findings are left out."""
    records = {
        f.fingerprint: {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "resource": f.resource,
                        "file": f.loc.file, "cause": f.cause}
        for f in findings if f.suppressed is None
    }
    return sorted(records.values(), key=lambda e: (e["file"], e["rule_id"], e["resource"], e["fingerprint"]))


def to_json(result: ScanResult, output: Path) -> str:
    """The baseline file recording ``result``'s findings, to be written at ``output``."""
    folder = output.resolve().parent
    try:
        root = Path(os.path.relpath(result.root, folder)).as_posix()
    except ValueError:  # another drive (Windows): keep it absolute
        root = result.root.as_posix()
    doc = {"version": VERSION, "root": root, "findings": entries(result.findings)}
    return json.dumps(doc, indent=2) + "\n"


def load(path: Path) -> Baseline:
    """Read a baseline file. Raises BaselineError naming the file and what is wrong."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such baseline file (create it with `iac-assist baseline`)") from None
    except OSError as err:
        raise BaselineError(f"{path}: cannot read: {err.strerror or err}") from None
    except ValueError as err:
        raise BaselineError(f"{path}: not a baseline file (invalid JSON: {err})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{path}: not a baseline file (expected {{\"version\": 1, \"findings\": [...]}})")
    if doc.get("version") != VERSION:
        raise BaselineError(f"{path}: baseline version {doc.get('version')!r} is not supported (expected {VERSION})")
    records = []
    for number, entry in enumerate(doc["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise BaselineError(f"{path}: findings[{number}] has no fingerprint")
        records.append({k: v for k, v in entry.items() if isinstance(v, str)})
    root = doc.get("root")
    base = (path.resolve().parent / root).resolve() if isinstance(root, str) else None
    return Baseline(tuple(records), base, path)


def leave_out(result: ScanResult, known: set[str]) -> int:
    """Drop the findings of ``result`` whose fingerprint is ``known``; how many were dropped."""
    kept = [f for f in result.findings if f.fingerprint not in known]
    dropped = len(result.findings) - len(kept)
    result.findings = kept
    return dropped


# Findings at a git revision ------------------------------------------------------------------------

T = TypeVar("T")
Analyse = Callable[[list[Path], Path], "ScanResult"]
"""Scans paths with the given scan root, as the current scan does."""

_NOT_COPIED = SKIP_DIRS - {".terraform"}  # .terraform/modules/modules.json locates downloaded modules

_GIT_CONFIG = (
    # Nothing in a repository may run code: no hooks, no file-system monitor, no pager.
    "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "core.pager=cat",
)


def known_at(ref: str, paths: list[Path], root: Path, analyse: Analyse) -> tuple[set[str], list[ScanError]]:
    """The fingerprints of the findings ``paths`` had at git revision ``ref``, computed relative
    to ``root`` (the current scan's root) so that they compare with today's, and warnings.
    Raises BaselineError when ``ref`` cannot be read."""
    found = at_revision(ref, paths, root, analyse)
    if found is None:
        return set(), []
    warnings = []
    if found.has_errors:
        warnings.append(ScanError("", 0, f"some inputs could not be analysed as they were at {ref}; their findings "
                                  "are reported as new", level="warning"))
    return {f.fingerprint for f in found.findings}, warnings


def at_revision(ref: str, paths: list[Path], root: Path, analyse: Callable[[list[Path], Path], T],
                option: str = "--new-since") -> T | None:
    """``analyse`` run on ``paths`` as they were at git revision ``ref``: their files are written
    into a temporary folder (the scan root ``root`` maps to it, so paths relative to the root
    compare with today's) that lives while ``analyse`` runs. None when none of ``paths`` existed
    then. Raises BaselineError, its message naming ``option``, when ``ref`` cannot be read."""
    try:
        return _at_revision(ref, paths, root, analyse)
    except BaselineError as err:
        # The git helpers speak of --new-since, the first option that read a revision.
        message = str(err)
        if option != "--new-since" and message.startswith("--new-since"):
            raise BaselineError(option + message[len("--new-since"):]) from None
        raise


def _at_revision(ref: str, paths: list[Path], root: Path, analyse: Callable[[list[Path], Path], T]) -> T | None:
    import tempfile  # here: only --new-since needs it

    if not ref or ref.startswith("-"):
        raise BaselineError(f"--new-since: {ref!r} is not a git revision")
    top = Path(_git(root, "rev-parse", "--show-toplevel").strip()).resolve()
    try:
        prefix = root.relative_to(top).as_posix()
    except ValueError:
        raise BaselineError(f"--new-since: the scan root {root} is outside the git repository {top}") from None
    commit = _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
                  failure=f"--new-since: unknown revision {ref!r} (a shallow clone may lack it: fetch it first)")
    commit = commit.strip()
    with tempfile.TemporaryDirectory(prefix="iac-assist-") as tmp:
        tree = Path(tmp).resolve()
        _extract(top, commit, "" if prefix == "." else prefix, tree)
        then = []
        for path in paths:
            past = tree / path.resolve().relative_to(root)
            if past.exists():
                then.append(past)
            elif past.name.endswith(TERRAFORM_SUFFIXES + (".tfvars", ".tfvars.json")) and past.parent.is_dir():
                # A new file of a module that existed: the module's other files were there.
                then.extend(terraform_files(past.parent))
        if not then:
            return None
        return analyse(then, tree)


def _git(cwd: Path, *args: str, failure: str = "", data: bytes | None = None) -> str:
    import subprocess  # here: only --new-since runs git

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "GIT_LITERAL_PATHSPECS": "1",
           "LC_ALL": "C"}
    try:
        done = subprocess.run(["git", *_GIT_CONFIG, *args], cwd=cwd, input=data, capture_output=True, env=env,
                              timeout=300, check=False)
    except FileNotFoundError:
        raise BaselineError("--new-since needs git, which is not installed") from None
    except subprocess.TimeoutExpired:
        raise BaselineError(f"--new-since: git {args[0]} did not finish in 300 s") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if failure:
            raise BaselineError(failure)
        if args[:2] == ("rev-parse", "--show-toplevel"):
            why = f" (git: {detail[-1]})" if detail else ""
            raise BaselineError(f"--new-since needs a git repository; {cwd} is not in one{why}")
        raise BaselineError(f"--new-since: git {args[0]} failed: {detail[-1] if detail else done.returncode}")
    return done.stdout.decode("utf-8", "surrogateescape")


def _extract(top: Path, commit: str, prefix: str, tree: Path) -> None:
    """Write the regular files under ``prefix`` at ``commit`` into ``tree`` (relative to prefix).
    Links and submodules are left out; a name that would escape ``tree`` is refused."""
    listing = _git(top, "ls-tree", "-r", "-z", "-l", "--full-tree", commit, *(["--", prefix] if prefix else []))
    wanted: list[tuple[str, int, Path]] = []
    total = 0
    for record in listing.split("\0"):
        if not record:
            continue
        meta, _, name = record.partition("\t")
        mode, kind, sha, size = meta.split()
        if kind != "blob" or mode not in ("100644", "100755"):
            continue
        rel = PurePosixPath(name)
        if prefix:
            if not name.startswith(prefix + "/"):
                continue
            rel = PurePosixPath(name[len(prefix) + 1:])
        unsafe = rel.is_absolute() or any(part in ("", ".", "..") for part in rel.parts)
        if unsafe or (os.sep != "/" and os.sep in name):
            raise BaselineError(f"--new-since: refusing the unsafe path {name!r} in {commit[:12]}")
        if int(size) > MAX_FILE_BYTES or any(part in _NOT_COPIED for part in rel.parts[:-1]):
            continue  # what the scan would not read anyway
        total += int(size)
        if total > MAX_TREE_BYTES:
            raise BaselineError(f"--new-since: more than {MAX_TREE_BYTES} bytes under {prefix or 'the root'} at "
                                f"{commit[:12]}; scan a narrower path")
        wanted.append((sha, int(size), tree.joinpath(*rel.parts)))
    if not wanted:
        return
    _write_blobs(top, wanted, tree)


def _write_blobs(top: Path, wanted: list[tuple[str, int, Path]], tree: Path) -> None:
    """Read blobs with one ``git cat-file --batch`` (raw objects: no filters, no conversion)."""
    import subprocess  # here: only --new-since runs git

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    with subprocess.Popen(["git", *_GIT_CONFIG, "cat-file", "--batch"], cwd=top, stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            for sha, size, target in wanted:
                proc.stdin.write(sha.encode("ascii") + b"\n")
                proc.stdin.flush()
                header = proc.stdout.readline().split()
                if len(header) != 3 or header[1] != b"blob" or int(header[2]) != size:
                    raise BaselineError(f"--new-since: git cat-file gave an unexpected answer for {sha}")
                data = _read_exactly(proc.stdout, size)
                proc.stdout.read(1)  # the newline after each object
                _write_inside(tree, target, data)
        finally:
            proc.stdin.close()
            proc.wait(timeout=60)


def _read_exactly(stream: Any, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise BaselineError("--new-since: git cat-file ended early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _write_inside(tree: Path, target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Defence in depth: every folder on the way was made here, none is a link, yet check.
    if tree not in target.parent.resolve().parents and target.parent.resolve() != tree:
        raise BaselineError(f"--new-since: refusing to write outside the temporary folder: {target}")
    with target.open("xb") as handle:
        handle.write(data)
