"""The layout a maintainer relies on, read from the code with `ast` (imports inside functions
counted): `cases` is the core and imports no feature app; the apps' import graph has no cycle;
an app imports another inside a function only where Django requires it (`AppConfig.ready`)."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
# The project's own apps; `recovery` is the project package (settings, urls, shared helpers).
APPS = [app for app in settings.INSTALLED_APPS if (ROOT / app / "apps.py").exists()]
FEATURE_APPS = {"escalation", "compensation", "toolkit", "metrics", "notifications",
                "attachments", "demo"}


def _imports(path: Path):
    """(imported module, function it is written in or None) of every absolute import."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.extend((f"{child.module}.{alias.name}", function)
                             for alias in child.names)
            visit(child, function)

    visit(tree, None)
    return found


def _node(module: str) -> str | None:
    """An app, or a module of the project package; None for anything else."""
    parts = module.split(".")
    if parts[0] in APPS:
        return parts[0]
    if parts[0] == "recovery" and len(parts) > 1:
        return f"recovery.{parts[1]}"
    return None


def _graph():
    """node → {imported node: [(file, function)]}"""
    graph: dict[str, dict[str, list]] = {}
    sources = [(app, path) for app in APPS for path in (ROOT / app).rglob("*.py")]
    sources += [(f"recovery.{path.stem}", path) for path in (ROOT / "recovery").glob("*.py")]
    for node, path in sources:
        for module, function in _imports(path):
            target = _node(module)
            if target is not None and target != node:
                where = (str(path.relative_to(ROOT)), function)
                graph.setdefault(node, {}).setdefault(target, []).append(where)
    return graph


def _cycle(graph) -> list[str] | None:
    done, path = set(), []

    def visit(node):
        if node in path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        for target in sorted(graph.get(node, {})):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if cycle := visit(node):
            return cycle
    return None


def test_the_apps_are_found():
    assert {"org", "cases", "escalation", "compensation", "toolkit", "metrics",
            "notifications"} <= set(APPS)


def test_cases_imports_no_feature_app():
    imported = _graph().get("cases", {})
    assert {app: imported[app] for app in FEATURE_APPS & set(imported)} == {}


def test_the_import_graph_has_no_cycle():
    assert _cycle(_graph()) is None


def test_apps_import_each_other_inside_functions_only_in_ready():
    """A function-local import hides a dependency (or dodges a cycle); AppConfig.ready() is
    where Django requires one, since the app registry is not ready before it."""
    hidden = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for module, function in _imports(path):
                target = _node(module)
                if (function not in (None, "ready") and target is not None
                        and target.split(".")[0] != app and not target.startswith("recovery.")):
                    hidden.append((str(path.relative_to(ROOT)), function, module))
    assert hidden == []
