"""The Terraform editor: a ``Change`` on the model as edits of ``.tf`` files (see ``editor.py``).

Where an edit goes:

* the attribute the vocabulary table reads the fact from: its literal value replaced, or the
  attribute inserted in its block (nested blocks made when missing), aligned as ``terraform fmt``
  aligns the attribute group it joins (a group fmt did not align is left as it is: only the new
  line is written, its ``=`` under the line above when it fits);
* when the attribute is ``var.NAME``: the place the value came from (``Fact.provenance``): the
  variables-file line, the variable's default or the module argument, followed through plain
  ``var.`` pass-throughs, and only when each variable on the way is used once in its module
  (otherwise the edit would change more than this value);
* a fact a satellite resource writes (a bucket's public access block, versioning, default
  encryption): that resource's attribute, or a new satellite right after the resource, in the
  AWS provider's current (v4+) shape.

No edit (``CannotEdit``) for a value computed by an expression (count.index, each, a condition, a
module output), a resource of a plan or state JSON, a resource declared in a module downloaded by
``terraform init``, a file in JSON syntax, a dynamic block, or a value given on the command line.
"""

from __future__ import annotations

import json
import math
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iac_assist.analysis.findings import block_address
from iac_assist.fixes import hcl_spans as hs
from iac_assist.fixes.editor import CannotEdit, Sources
from iac_assist.fixes.edits import TextEdit
from iac_assist.fixes.paths import written_at
from iac_assist.model import Component, Origin

if TYPE_CHECKING:
    from iac_assist.fixes.declare import Change
    from iac_assist.model.graph import ResourceGraph

Step = tuple[str | int, ...]
Setting = tuple[Step, Any]
"""A path in a block (``("versioning_configuration", 0, "status")``) and the value to write there."""

_SCALAR = r'(?:true|false|null|-?\d+(?:\.\d+)?|"(?:[^"\\$%\n]|\\.|\$(?!\{)|%(?!\{))*")'
_LITERAL = re.compile(rf"^(?:{_SCALAR}|\[\s*(?:{_SCALAR}\s*,\s*)*(?:{_SCALAR}\s*,?\s*)?\])$")
"""A value written as itself: a scalar, or a list of scalars (one line or several, no comment)."""
_VARIABLE = re.compile(r"^var\.([A-Za-z_][A-Za-z0-9_-]*)$")
_ORIGIN = re.compile(r"^(?:(?P<default>sets the default )|(?P<sets>sets )|(?P<passes>passes ))"
                     r"(?P<name>[A-Za-z_][A-Za-z0-9_-]*) = ")
MAX_HOPS = 8


@dataclass(frozen=True)
class Satellite:
    """A resource that writes a fact of its owner in the provider's current shape."""

    type: str
    settings: Callable[[Any], list[Setting]]
    """The fact's value as attribute settings of the satellite."""
    owner_attribute: str = "bucket"


def _pab(value: Any) -> list[Setting]:
    return [((key,), flag) for key, flag in value.items()]


def _versioning(value: Any) -> list[Setting]:
    return [(("versioning_configuration", 0, "status"), value)]


def _encryption(value: Any) -> list[Setting]:
    return [(("rule", 0, "apply_server_side_encryption_by_default", 0, "sse_algorithm"), value)]


SATELLITES: dict[tuple[str, str], Satellite] = {
    ("aws_s3_bucket", "public_access_block"): Satellite("aws_s3_bucket_public_access_block", _pab),
    ("aws_s3_bucket", "versioning"): Satellite("aws_s3_bucket_versioning", _versioning),
    ("aws_s3_bucket", "encryption"): Satellite("aws_s3_bucket_server_side_encryption_configuration", _encryption),
}
"""Facts of a resource that the provider (v4+) writes on another resource: the front end's own
knowledge (parsers/terraform/normalize_s3.py reads them), as the tables cannot say it."""


def _action(entry: Any) -> list[Setting]:
    """A listener's default action: only a redirect to HTTPS is ever written (on port 443, the one
    port a fix redirects to: ``policies/lb.py`` asks for an HTTPS listener there)."""
    if not isinstance(entry, dict) or entry.get("type") != "redirect" or entry.get("redirect_protocol") != "HTTPS":
        raise CannotEdit("only a redirect to HTTPS can be written as a listener's action")
    return [(("type",), "redirect"), (("redirect", 0, "port"), "443"), (("redirect", 0, "protocol"), "HTTPS"),
            (("redirect", 0, "status_code"), "HTTP_301")]


BLOCKS: dict[tuple[str, str], tuple[str, Callable[[Any], list[Setting]]]] = {
    ("aws_lb_listener", "default_actions"): ("default_action", _action),
    ("aws_alb_listener", "default_actions"): ("default_action", _action),
}
"""Facts the front end reads from a resource's repeated blocks, one entry per block: the block and
how an entry is written (parsers/terraform/normalize_lb.py reads them)."""


class TerraformEditor:
    format = "terraform"

    def verify(self, rel: str, text: str) -> None:
        """The edited file still parses (a backstop: an edit that breaks it is a defect of ours)."""
        try:
            hs.parse(text, rel)
        except CannotEdit:
            raise CannotEdit(f"the edited {rel} would not parse (a defect of iac-assist: please report it)") from None

    def edits(self, change: Change, graph: ResourceGraph, sources: Sources) -> list[TextEdit]:
        comp = change.component
        rel = _editable(comp)
        out: list[TextEdit] = []
        # Facts the resource does not write: inserted together, so that those joining one
        # attribute group are aligned once.
        unset: list[Setting] = []
        for fact, value in change.facts.items():
            satellite = SATELLITES.get((comp.source_type, fact))
            blocks = BLOCKS.get((comp.source_type, fact))
            if satellite is not None:
                out += _satellite(comp, fact, value, satellite, graph, sources)
            elif blocks is not None:
                out += _blocks(comp, rel, blocks[0], [blocks[1](entry) for entry in value], sources)
            else:
                out += _fact(comp, rel, fact, value, sources, unset)
        if unset:
            text = sources.text(rel)
            out += _insert(rel, text, _resource_block(comp, rel, hs.parse(text, rel)), unset)
        for loc, value in change.at:
            out += _at(loc.file, loc.line, value, sources)
        return [_line_ends(edit, sources.text(edit.path)) for edit in out]


EDITOR = TerraformEditor()


def _line_ends(edit: TextEdit, text: str) -> TextEdit:
    """The edit in the file's line ends: a file written with CRLF gets CRLF in what is inserted,
    and an insertion at the end of a line goes before its CR."""
    if "\r\n" not in text or "\n" not in edit.new:
        return edit
    start, end = edit.start, edit.end
    if start == end and 0 < start < len(text) and text[start - 1] == "\r" and text[start] == "\n":
        start = end = start - 1
    return TextEdit(edit.path, start, end, edit.new.replace("\r\n", "\n").replace("\n", "\r\n"))


# --- the resource and its attributes ------------------------------------------------------------


_MODULE_PREFIX = re.compile(r"^(?:module\.[^.]+\.)+")


def _is_data_source(address: str) -> bool:
    """``data.TYPE.NAME`` after any ``module.NAME.`` steps (a module may be named ``data``)."""
    return _MODULE_PREFIX.sub("", block_address(address)).startswith("data.")


def _source_file(rel: str) -> str:
    """``rel`` if the editor may edit it: a ``.tf`` file of the repository, not one ``terraform
    init`` downloaded (``.terraform/``)."""
    if ".terraform" in rel.split("/"):
        raise CannotEdit(f"{rel} was downloaded by terraform init: change the module's inputs or its version instead")
    if rel.endswith(".tf.json"):
        raise CannotEdit(f"{rel} is Terraform JSON syntax: editing it is not available")
    if not rel.endswith(".tf"):
        raise CannotEdit(f"{rel} is not a Terraform source file")
    return rel


def _editable(comp: Component) -> str:
    rel = comp.loc.file
    if comp.call_loc is not None:
        raise CannotEdit(f"{comp.address} is declared in a module downloaded by terraform init (called at "
                         f"{comp.call_loc}): change the module's inputs or its version instead")
    if rel.endswith(".tf.json"):
        raise CannotEdit(f"{rel} is Terraform JSON syntax: editing it is not available")
    if not rel.endswith(".tf"):
        raise CannotEdit(f"{comp.address} is read from {rel} (a plan or state), not from its source: "
                         "fix the configuration that produced it")
    if _is_data_source(comp.address):
        raise CannotEdit(f"{comp.address} is a data source: it reads what exists elsewhere")
    return _source_file(rel)


def _resource_block(comp: Component, rel: str, top: hs.Body) -> hs.Block:
    type_, _, name = block_address(comp.address).rpartition(".")
    type_ = type_.rpartition(".")[2]
    found = [b for b in top.blocks if b.type == "resource" and b.labels == [type_, name]]
    if len(found) > 1:
        found = [b for b in found if b.line == comp.loc.line] or found
    if len(found) != 1:
        raise CannotEdit(f"resource {type_}.{name} not found in {rel}")
    return found[0]


def _fact(comp: Component, rel: str, fact: str, value: Any, sources: Sources, unset: list[Setting]
          ) -> list[TextEdit]:
    """The edit of a fact the table maps; a fact not written yet is added to ``unset``."""
    source = written_at("terraform", comp.source_type, fact)
    if source is None:
        raise CannotEdit(f"no attribute of {comp.source_type} is known to write {fact}")
    existing = comp.facts.get(fact)
    if existing is not None and existing.origin:
        raise CannotEdit(f"{fact} is written by {existing.origin}: edit it there")
    if existing is not None and existing.loc.file != rel:
        raise CannotEdit(f"{fact} is set in {existing.loc.file} (an override file): edit it there")
    text = sources.text(rel)
    block = _resource_block(comp, rel, hs.parse(text, rel))
    for path in source.paths:
        found = _find(block.body, path)
        if found is not None:
            if existing is not None and existing.loc.line not in (found.line, 0):
                # What the scan read is not where the editor looks (an override, a merge): no guess.
                raise CannotEdit(f"{fact} is read from line {existing.loc.line}, not from {rel}:{found.line}")
            return _replace(rel, text, found, value, comp, existing.provenance if existing else (), sources)
    if existing is not None:
        raise CannotEdit(f"{fact} is written in a way the editor cannot find (a dynamic block, an override file)")
    unset.append((source.paths[0], value))
    return []


def _find(body: hs.Body, path: tuple) -> hs.Attr | None:
    """The attribute at ``path`` (``("metadata_options", 0, "http_tokens")``), if written."""
    steps = list(path)
    while len(steps) > 1:
        name = steps.pop(0)
        index = steps.pop(0) if steps and isinstance(steps[0], int) else 0
        if not isinstance(name, str) or not isinstance(index, int):
            return None
        if body.attr(name) is not None:
            raise CannotEdit(f"{name} is written as an expression, not as a block: edit it by hand")
        if body.dynamic(name):
            raise CannotEdit(f"{name} is a dynamic block: its content depends on what it iterates over")
        blocks = body.blocks_of(name)
        if index >= len(blocks):
            return None
        body = blocks[index].body
    return body.attr(steps[0]) if steps and isinstance(steps[0], str) else None


def _replace(rel: str, text: str, attr: hs.Attr, value: Any, comp: Component, provenance: tuple[Origin, ...],
             sources: Sources) -> list[TextEdit]:
    current = text[attr.value_start:attr.value_end]
    new = render(value)
    if _LITERAL.match(current):
        return [] if current == new else [TextEdit(rel, attr.value_start, attr.value_end, new)]
    variable = _VARIABLE.match(current)
    if variable is not None:
        return _at_origin(variable.group(1), posixpath.dirname(rel), list(provenance), value, sources)
    raise CannotEdit(_computed(attr.name, current))


def _computed(name: str, expression: str) -> str:
    shown = " ".join(expression.split())
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    if "count.index" in expression or "each." in expression:
        why = "it differs between the instances of count/for_each"
    elif "module." in expression:
        why = "it comes from a module's output"
    else:
        why = "it is computed by an expression"
    return f"{name} = {shown}: {why}, so the right place to change cannot be known"


# --- values from elsewhere ----------------------------------------------------------------------


def _at_origin(variable: str, folder: str, provenance: list[Origin], value: Any, sources: Sources,
               hops: int = 0) -> list[TextEdit]:
    """The edit at the place ``var.variable`` of the module in ``folder`` got its value."""
    if hops > MAX_HOPS:
        raise CannotEdit("the value passes through too many modules")
    if not provenance:
        raise CannotEdit(f"var.{variable} has no value in the repository")
    _used_once(variable, folder, sources)
    origin = provenance[0]
    match = _ORIGIN.match(origin.what)
    if not origin.file:
        raise CannotEdit(f"the value is given outside the repository ({origin.what}): change it there")
    if match is None or match.group("name") != variable:
        raise CannotEdit(f"where var.{variable} got its value is not known")
    rel = origin.file
    if rel.endswith(".json"):
        raise CannotEdit(f"{rel} is JSON: editing it is not available")
    if ".terraform" in rel.split("/"):
        raise CannotEdit(f"{rel} was downloaded by terraform init: change the module's inputs instead")
    text = sources.text(rel)
    top = hs.parse(text, rel)
    if match.group("default"):
        blocks = [b for b in top.blocks if b.type == "variable" and b.labels == [variable]]
        attr = blocks[0].body.attr("default") if len(blocks) == 1 else None
    elif match.group("passes"):
        attr = next((a for b in top.blocks if b.type == "module" and b.start <= _offset(text, origin.line) < b.end
                     for a in b.body.attrs if a.name == variable), None)
    else:
        attr = top.attr(variable)
    if attr is None or attr.line != origin.line:
        raise CannotEdit(f"{origin} could not be found to edit")
    current = text[attr.value_start:attr.value_end]
    if _LITERAL.match(current):
        new = render(value)
        return [] if current == new else [TextEdit(rel, attr.value_start, attr.value_end, new)]
    upper = _VARIABLE.match(current)
    if upper is not None and match.group("passes"):
        return _at_origin(upper.group(1), posixpath.dirname(rel), provenance[1:], value, sources, hops + 1)
    raise CannotEdit(_computed(f"{rel}:{attr.line} {attr.name}", current))


def _offset(text: str, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return len(text)
    return pos


def _used_once(variable: str, folder: str, sources: Sources) -> None:
    """Raise unless ``var.variable`` is read once in the module of ``folder``: a value that feeds
    something else is not this fix's to change."""
    pattern = re.compile(rf"\bvar\.{re.escape(variable)}\b")
    uses = 0
    base = Path(sources.root) / folder
    names = sorted(p.name for p in [*base.glob("*.tf"), *base.glob("*.tf.json")]) if base.is_dir() else []
    for name in names:
        rel = posixpath.join(folder, name) if folder else name
        uses += len(pattern.findall(sources.text(rel)))
    if uses != 1:
        raise CannotEdit(f"var.{variable} is read {uses} times in {folder or 'the root module'}: changing its "
                         "value would change more than this setting")


# --- insertion ----------------------------------------------------------------------------------


def _insert(rel: str, text: str, block: hs.Block, settings: list[Setting]) -> list[TextEdit]:
    """Write each ``path = value`` of ``settings`` into ``block``, making the nested blocks on the
    way: attributes joining one block in one aligned run, settings of one new block in it."""
    runs: dict[int, tuple[hs.Block, list[tuple[str, str]]]] = {}
    made: dict[tuple[int, str], tuple[hs.Block, list[Setting]]] = {}
    for path, value in settings:
        body, container = block.body, block
        steps = list(path)
        while len(steps) > 1:
            name = str(steps.pop(0))
            step = steps.pop(0) if steps and isinstance(steps[0], int) else 0
            index = step if isinstance(step, int) else 0
            if body.dynamic(name) or body.attr(name) is not None:
                raise CannotEdit(f"{name} is written as a dynamic block or an expression: edit it by hand")
            blocks = body.blocks_of(name)
            if index < len(blocks):
                container, body = blocks[index], blocks[index].body
                continue
            if index > len(blocks):
                raise CannotEdit(f"{name} block #{index + 1} does not exist")
            made.setdefault((container.start, name), (container, []))[1].append(((name, 0, *steps), value))
            break
        else:
            runs.setdefault(container.start, (container, []))[1].append((str(steps[0]), render(value)))
    out: list[TextEdit] = []
    for container, new in runs.values():
        out += _new_attributes(rel, text, container, new)
    for container, nested in made.values():
        out.append(_new_block(rel, text, container, nested))
    return out


def _new_attributes(rel: str, text: str, block: hs.Block, new: list[tuple[str, str]]) -> list[TextEdit]:
    """Insert ``name = rendered`` lines, in order, at the end of the block's first attributes."""
    body = block.body
    inner = hs.indent_of(text, block.start) + "  "
    first_block = min((b.start for b in body.blocks), default=len(text))
    before = [a for a in body.attrs if a.start < first_block]
    if not before:
        if "\n" not in text[block.open:block.close]:
            if text[block.open + 1:block.close].strip():
                raise CannotEdit(f"a one-line block at {rel}:{block.line}: edit it by hand")
            outer = hs.indent_of(text, block.start)
            return [TextEdit(rel, block.open + 1, block.close, _lines(new, inner, 0) + f"\n{outer}")]
        return [TextEdit(rel, block.open + 1, block.open + 1, _lines(new, inner, 0))]
    single = [a for a in before if a.line == a.end_line]
    anchor = single[-1] if single else before[-1]
    eol = text.find("\n", anchor.end)
    if eol < 0 or eol > block.close:
        raise CannotEdit(f"a one-line block at {rel}:{block.line}: edit it by hand")
    group = _group(text, body.attrs, anchor) if anchor.line == anchor.end_line else []
    gaps = {attr.name: _gap(text, attr) for attr in group}
    widest = max((len(a.name) for a in group), default=0)
    if group and all(gaps[a.name] == " " * (widest - len(a.name) + 1) for a in group):
        # The group is as terraform fmt leaves it: it stays so, realigned if a new name is longer.
        width = max([widest] + [len(name) for name, _ in new])
    else:
        # It is not (or there is none): touch no other line; align with the anchor when it fits.
        anchor_width = len(anchor.name) + len(gaps.get(anchor.name) or " ") - 1
        width = anchor_width if all(len(name) <= anchor_width for name, _ in new) else 0
        group = []
    edits = [TextEdit(rel, eol, eol, _lines(new, inner, width))]
    for attr in group:
        eq = text.find("=", attr.name_end)
        wanted = " " * (width - len(attr.name) + 1)
        if gaps[attr.name] is not None and gaps[attr.name] != wanted:
            edits.append(TextEdit(rel, attr.name_end, eq, wanted))
    return edits


def _gap(text: str, attr: hs.Attr) -> str | None:
    """The blanks between an attribute's name and its ``=`` (None when something else is there)."""
    gap = text[attr.name_end:text.find("=", attr.name_end)]
    return gap if gap.strip(" \t") == "" else None


def _lines(new: list[tuple[str, str]], indent: str, width: int) -> str:
    """The inserted attributes, each after a newline, ``=`` at ``width`` (at least one space)."""
    width = max([width] + [len(name) for name, _ in new]) if len(new) > 1 or width else 0
    return "".join(f"\n{indent}{name}{' ' * max(width - len(name), 0)} = {rendered}" for name, rendered in new)


def _group(text: str, attrs: list[hs.Attr], anchor: hs.Attr) -> list[hs.Attr]:
    """The attributes ``terraform fmt`` aligns with ``anchor``: one line each, on the lines next to
    it; a blank line, a comment line or an attribute spanning lines ends the run (fmt aligns a
    multi-line attribute with nothing)."""
    by_line = {a.line: a for a in attrs if a.line == a.end_line}
    group = [anchor]
    line = anchor.line - 1
    while line in by_line:
        group.insert(0, by_line[line])
        line -= 1
    line = anchor.line + 1
    while line in by_line:
        group.append(by_line[line])
        line += 1
    return group


def _new_block(rel: str, text: str, container: hs.Block, settings: list[Setting]) -> TextEdit:
    """``settings`` (paths starting with one block name) as a new block at the end of ``container``."""
    if "\n" not in text[container.open:container.close]:
        raise CannotEdit(f"a one-line block at {rel}:{container.line}: edit it by hand")
    indent = hs.indent_of(text, container.start) + "  "
    at = hs.line_start(text, container.close)
    lines = render_body(settings, indent)
    blank = "" if text[container.open + 1:at].strip() == "" else "\n"
    return TextEdit(rel, at, at, blank + "".join(lines))


def _blocks(comp: Component, rel: str, name: str, entries: list[list[Setting]], sources: Sources) -> list[TextEdit]:
    """Replace the resource's one ``name`` block with ``entries`` (one block each)."""
    text = sources.text(rel)
    block = _resource_block(comp, rel, hs.parse(text, rel))
    if block.body.dynamic(name):
        raise CannotEdit(f"{name} is a dynamic block: its content depends on what it iterates over")
    found = block.body.blocks_of(name)
    if len(found) != 1:
        raise CannotEdit(f"{comp.address} has {len(found)} {name} blocks: edit them by hand")
    indent = hs.indent_of(text, found[0].start)
    rendered = f"\n{indent}".join(
        f"{name} {{\n" + "".join(render_body(settings, indent + "  ")) + f"{indent}}}" for settings in entries)
    return [TextEdit(rel, found[0].start, found[0].end, rendered)]


# --- satellites ---------------------------------------------------------------------------------


def _satellite(comp: Component, fact: str, value: Any, satellite: Satellite, graph: ResourceGraph,
               sources: Sources) -> list[TextEdit]:
    existing = comp.facts.get(fact)
    settings = satellite.settings(value)
    if existing is not None and existing.origin:
        return _in_satellite(existing.origin, existing.loc.file, settings, sources)
    if existing is not None:
        raise CannotEdit(f"{fact} is set inline on {comp.address} (the provider v3 shape): move it to "
                         f"{satellite.type} by hand, as the provider cannot manage both")
    rel = _editable(comp)
    text = sources.text(rel)
    block = _resource_block(comp, rel, hs.parse(text, rel))
    if block.body.attr("count") is not None or block.body.attr("for_each") is not None:
        raise CannotEdit(f"{comp.address} is made with count/for_each: its {satellite.type} needs the same one")
    prefix, _, local = block_address(comp.address).rpartition(f"{comp.source_type}.")
    name = local
    # Once per graph, not per fix: a repository with a fix on every bucket made this quadratic.
    taken = graph.derived("fix-block-addresses",
                          lambda: frozenset(block_address(c.address) for c in graph.components.values()))
    if f"{prefix}{satellite.type}.{name}" in taken:
        raise CannotEdit(f"{prefix}{satellite.type}.{name} already exists for another resource")
    indent = hs.indent_of(text, block.start)
    body = [f"{indent}  {satellite.owner_attribute} = {comp.source_type}.{name}.id\n"]
    rest = render_body(settings, indent + "  ")
    if rest:
        body += ["\n", *rest]
    new = f'\n\n{indent}resource "{satellite.type}" "{name}" {{\n' + "".join(body) + f"{indent}}}"
    return [TextEdit(rel, block.end, block.end, new)]


def _in_satellite(address: str, rel: str, settings: list[Setting], sources: Sources) -> list[TextEdit]:
    if not rel.endswith(".tf"):
        raise CannotEdit(f"{address} is read from {rel}, not from its source")
    text = sources.text(_source_file(rel))
    type_, _, name = block_address(address).rpartition(".")
    type_ = type_.rpartition(".")[2]
    blocks = [b for b in hs.parse(text, rel).blocks if b.type == "resource" and b.labels == [type_, name]]
    if len(blocks) != 1:
        raise CannotEdit(f"{address} not found in {rel}")
    block = blocks[0]
    out: list[TextEdit] = []
    missing: list[Setting] = []
    for path, value in settings:
        found = _find(block.body, path)
        if found is not None:
            out += _replace_literal(rel, text, found, value)
        else:
            missing.append((path, value))
    # One insertion for all: those joining one group are aligned once.
    return out + _insert(rel, text, block, missing)


def _replace_literal(rel: str, text: str, attr: hs.Attr, value: Any) -> list[TextEdit]:
    current = text[attr.value_start:attr.value_end]
    if not _LITERAL.match(current):
        raise CannotEdit(_computed(attr.name, current))
    new = render(value)
    return [] if current == new else [TextEdit(rel, attr.value_start, attr.value_end, new)]


def _at(rel: str, line: int, value: Any, sources: Sources) -> list[TextEdit]:
    """Replace the literal of the attribute that starts at ``line``."""
    text = sources.text(_source_file(rel))

    def search(body: hs.Body) -> hs.Attr | None:
        for attr in body.attrs:
            if attr.line == line:
                return attr
        for block in body.blocks:
            found = search(block.body)
            if found is not None:
                return found
        return None

    attr = search(hs.parse(text, rel))
    if attr is None:
        raise CannotEdit(f"no attribute at {rel}:{line}")
    return _replace_literal(rel, text, attr, value)


# --- rendering ----------------------------------------------------------------------------------


def render(value: Any) -> str:
    """A value in HCL syntax."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        quoted = json.dumps(value, ensure_ascii=False)
        return quoted.replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, list):
        return "[" + ", ".join(render(v) for v in value) + "]"
    raise CannotEdit(f"a value of type {type(value).__name__} cannot be written as an attribute")


def render_body(settings: list[Setting], indent: str) -> list[str]:
    """Lines of a block body: attributes first, aligned as ``terraform fmt`` aligns them, then
    nested blocks, each after a blank line."""
    attrs = [(str(path[0]), value) for path, value in settings if len(path) == 1]
    nested: dict[str, list[Setting]] = {}
    for path, value in settings:
        if len(path) > 1:
            rest = path[2:] if isinstance(path[1], int) else path[1:]
            nested.setdefault(str(path[0]), []).append((rest, value))
    width = max((len(name) for name, _ in attrs), default=0)
    lines = [f"{indent}{name}{' ' * (width - len(name))} = {render(value)}\n" for name, value in attrs]
    for name, inner in nested.items():
        if lines:
            lines.append("\n")
        lines.append(f"{indent}{name} {{\n")
        lines += render_body(inner, indent + "  ")
        lines.append(f"{indent}}}\n")
    return lines
