"""The plan of the code, as its imports draw it: `core` and `lib` are infrastructure every
app may import and import no product app; the product apps import one another in one
direction only (no app imports one that imports it back, directly or through others);
nothing imports the apps at the top (processes, people), which gather from the rest."""

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "dailypapers"
APPS = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
INFRASTRUCTURE = ("core", "lib")
TOP = ("processes", "people")


def imported_modules(path):
    """Every module a file imports, at its top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def app_imports():
    """{app: {imported app: [the files and modules that import it]}}, across apps."""
    graph = defaultdict(lambda: defaultdict(list))
    for app in APPS:
        for path in sorted((PACKAGE / app).rglob("*.py")):
            for module in imported_modules(path):
                parts = module.split(".")
                if parts[0] == "dailypapers" and len(parts) > 1 and parts[1] in APPS:
                    if parts[1] != app:
                        graph[app][parts[1]].append(f"{path.relative_to(PACKAGE)}: {module}")
    return graph


def cycles(graph):
    """Each cycle of imports found by a depth-first walk, as [app, …, app]."""
    found, state = [], {}

    def walk(app, trail):
        state[app] = "open"
        for other in sorted(graph.get(app, ())):
            if state.get(other) == "open":
                found.append(trail[trail.index(other) :] + [app, other])
            elif other not in state:
                walk(other, trail + [app])
        state[app] = "done"

    for app in sorted(graph):
        if app not in state:
            walk(app, [])
    return found


def test_the_apps_are_the_packages_this_test_knows():
    assert {*INFRASTRUCTURE, *TOP} <= set(APPS) and "papers" in APPS


def test_infrastructure_imports_no_product_app():
    graph = app_imports()
    assert {app: dict(graph[app]) for app in INFRASTRUCTURE if graph[app].keys() - {"lib"}} == {}


def test_no_app_imports_one_that_imports_it_back():
    graph = app_imports()
    two_way = [
        (a, b, graph[a][b][0], graph[b][a][0])
        for a in APPS
        for b in graph[a]
        if a < b and a in graph[b]
    ]
    assert two_way == []
    assert cycles(graph) == []


def test_no_app_imports_the_apps_at_the_top():
    graph = app_imports()
    assert {app: graph[app][top] for app in APPS for top in TOP if top in graph[app]} == {}


def test_the_cycle_finder_finds_a_cycle():
    # The check above is only as good as this: a loop through three apps is found.
    graph = defaultdict(dict, {"a": {"b": []}, "b": {"c": []}, "c": {"a": []}})
    assert cycles(graph) and set(cycles(graph)[0]) == {"a", "b", "c"}
