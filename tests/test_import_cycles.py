"""No circular imports among the package's modules.

Every module's imports that run when it is imported (module level, class bodies, ``try`` and
``if`` blocks; not function bodies, not ``if TYPE_CHECKING:``) are read from its source, with
modules named as installed (``parsers/`` is ``iac_assist.parsers``, tests/layout.py), and the
graph they make must have no cycle. A cycle works, or not, by the order modules happen to be
imported in. An import moved into a function to break one says why in a comment.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

import networkx as nx

from tests import layout


def _ancestors(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _runs_on_import(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The import statements executed when the module is imported."""
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _ours(name: str, modules: Mapping[str, object]) -> str | None:
    """``name`` if it is one of ``modules``, else its nearest enclosing one (``import a.b.x``
    where x is a function's name), else None (another distribution's module)."""
    for candidate in (name, *reversed(_ancestors(name))):
        if candidate in modules:
            return candidate
    return None


def imports_of(module: str, source: str, modules: Mapping[str, object], is_package: bool) -> set[str]:
    """The modules among ``modules`` that importing ``module`` imports (and so runs) first.

    Each module an import names counts, and so do the packages it is in (``import a.b.c`` runs
    ``a`` and ``a.b`` first), except the packages the importer itself sits in: they are already
    being initialised when it runs, and Python resolves ``a.b.c`` then without running ``a.b``
    again. A package named by an import of its own submodule still counts (``from a import b``
    or ``import a`` inside ``a.c``, when ``a`` imports ``a.c``, is a cycle)."""
    package = module if is_package else module.rpartition(".")[0]
    own = set(_ancestors(module))
    found: set[str] = set()

    def need(target: str | None) -> None:
        if target is not None:
            found.add(target)
            found.update(m for m in _ancestors(target) if m in modules and m not in own)

    for node in _runs_on_import(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                need(_ours(alias.name, modules))
            continue
        base = node.module or ""
        if node.level:
            parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            base = ".".join([*parent, base] if base else parent)
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            need(submodule if submodule in modules else _ours(base, modules))
    found.discard(module)
    return found


def import_graph(sources: Mapping[str, tuple[str, bool]]) -> nx.DiGraph:
    """module → the modules it imports on import; ``sources``: module → (source, is package)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sources)
    for module, (source, is_package) in sources.items():
        graph.add_edges_from((module, target) for target in imports_of(module, source, sources, is_package))
    return graph


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One cycle through each group of modules that import each other, as ``a → b → a``."""
    found = []
    for group in nx.strongly_connected_components(graph):
        if len(group) > 1:
            edges = nx.find_cycle(graph.subgraph(group))
            found.append([src for src, _ in edges] + [edges[0][0]])
    return sorted(found)


def test_the_package_has_no_import_cycle():
    sources = {name: (path.read_text(encoding="utf-8"), path.name == "__init__.py")
               for name, path in layout.modules().items()}
    assert len(sources) > 100 and "iac_assist.parsers.terraform" in sources and "iac_assist.policies.s3" in sources
    graph = import_graph(sources)
    # parsers/ and policies/ are read as the installed iac_assist.parsers and iac_assist.policies:
    assert graph.has_edge("iac_assist.parsers.terraform", "iac_assist.parsers.terraform.budget")
    assert graph.has_edge("iac_assist.policies.s3", "iac_assist.analysis.policy")
    assert cycles(graph) == [], "\n".join(" → ".join(cycle) for cycle in cycles(graph))


# The scan itself, on small trees ------------------------------------------------------------------


def _graph(**modules: str) -> nx.DiGraph:
    """Modules named with ``__`` for dots; a trailing ``__init`` marks a package."""
    sources = {}
    for key, source in modules.items():
        name = key.replace("__", ".")
        package = name.endswith(".init")
        sources[name.removesuffix(".init")] = (source, package)
    return import_graph(sources)


def test_a_cycle_through_from_imports_is_found():
    graph = _graph(pkg__init="", pkg__a="from pkg.b import f\n", pkg__b="from pkg import a\n")
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.a"]]


def test_a_relative_import_cycle_is_found():
    graph = _graph(pkg__init="", pkg__a="from . import b\n", pkg__b="from .a import x\n")
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.a"]]


def test_imports_in_functions_and_for_type_checking_do_not_count():
    graph = _graph(pkg__init="", pkg__a="from pkg.b import f\n",
                   pkg__b="from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n"
                          "else:\n    import json\n\ndef g():\n    from pkg import a\n")
    assert cycles(graph) == []


def test_a_package_importing_its_submodules_is_no_cycle():
    # pkg/__init__ runs a, which imports its sibling by its full name: pkg is already initialising.
    graph = _graph(pkg__init="from pkg.a import f\n", pkg__a="import pkg.b\n", pkg__b="")
    assert cycles(graph) == []
    assert set(graph.successors("pkg.a")) == {"pkg.b"}


def test_a_name_taken_from_the_package_being_initialised_is_a_cycle():
    graph = _graph(pkg__init="from pkg.a import f\nX = 1\n", pkg__a="from pkg import X\n")
    assert cycles(graph) == [["pkg", "pkg.a", "pkg"]]


def test_importing_the_package_being_initialised_is_a_cycle():
    graph = _graph(pkg__init="from pkg.a import f\n", pkg__a="import pkg\n")
    assert cycles(graph) == [["pkg", "pkg.a", "pkg"]]


def test_class_bodies_and_try_blocks_run_on_import():
    graph = _graph(pkg__init="", pkg__a="class C:\n    from pkg import b\n",
                   pkg__b="try:\n    import pkg.a\nexcept ImportError:\n    pass\n")
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.a"]]
