"""
The shape of the code, checked rather than trusted (STYLE.md, "Our layout"):
dependencies point downward, one module writes a case's timeline, and no
module grows past the size where it should become a package.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ["core", "jurisdictions", "optouts", "correspondence", "reminders", "public", "scomm"]

# What each app may import of the project's other apps. scomm is the wiring:
# it imports everything, and nothing imports it except through settings.
MAY_IMPORT = {
    "core": set(),
    "jurisdictions": {"core"},
    "optouts": {"core", "jurisdictions"},
    "correspondence": {"core", "jurisdictions", "optouts"},
    "reminders": {"core", "jurisdictions", "optouts"},
    "public": {"core", "jurisdictions", "optouts"},
    "scomm": set(APPS) - {"scomm"},
}
LONGEST_MODULE = 450


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        yield path


def _imported_apps(path: Path) -> set[str]:
    """The project's apps a module imports, at its top or inside a function."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in APPS:
                found.add(top)
    return found


def _import_violations(app: str) -> list[str]:
    allowed = MAY_IMPORT[app] | {app}
    return [
        f"{path.relative_to(ROOT)} imports {other}"
        for path in _modules(app)
        for other in sorted(_imported_apps(path) - allowed)
    ]


@pytest.mark.parametrize("app", APPS)
def test_each_app_imports_only_the_apps_below_it(app):
    assert _import_violations(app) == []


def test_the_import_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The walk finds an import hidden inside a function, as the directory once had."""
    app = tmp_path / "jurisdictions"
    app.mkdir()
    (app / "views.py").write_text("def page():\n    from optouts.permissions import can_act\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert _import_violations("jurisdictions") == ["jurisdictions/views.py imports optouts"]


WRITES_EVENT = re.compile(r"(?<!class )\bCaseEvent(\.objects\.(create|bulk_create|get_or_create)|\()")


def test_only_the_case_services_write_timeline_events():
    writers = []
    for app in APPS:
        for path in _modules(app):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith("optouts/services"):
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if WRITES_EVENT.search(line):
                    writers.append(f"{relative}:{number}: {line.strip()}")
    assert writers == []


def test_the_case_services_do_write_timeline_events():
    """The check above would pass vacuously if the writer had moved or been renamed."""
    services = ROOT / "optouts" / "services"
    paths = list(services.rglob("*.py")) if services.is_dir() else [services.with_suffix(".py")]
    assert any(WRITES_EVENT.search(p.read_text()) for p in paths)


def test_no_module_is_longer_than_a_package_should_be():
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for app in APPS
        for path in _modules(app)
        if (count := len(path.read_text().splitlines())) > LONGEST_MODULE
    ]
    assert long == []
