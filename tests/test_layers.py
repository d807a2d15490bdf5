"""An app changes another app's data only through that app's services (DESIGN.md §2, §8 habit 1).

import-linter (`make lint`, contracts in pyproject.toml) checks which app may import which, but not what
an import is used for: reading another app's models is allowed, writing them is not. This test reads
every module of every app (not migrations, tests or bench) with `ast` and fails when app A writes a
model of app B:
- a manager-level write on a model class imported from `B.models` (or `get_user_model()`, which is
  accounts' User): `X.objects.create(…)`, `X.objects.filter(…).update(…)`, `.delete()`, `bulk_create`…;
- `.save()` / `.delete()` on a local name bound, in the same function, to such a class's instance
  (`x = X(…)`, `x = X.objects.get(…)`, `for x in X.objects.filter(…)`).
Instances that arrive as arguments cannot be seen; code review covers those.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("truonghoc", "units", "notifications", "accounts", "approvals", "forums", "courses", "materials",
        "publications", "gradebook", "teaching", "contests", "reports", "portal")  # fmt: skip
USER_APP = "accounts"  # settings.AUTH_USER_MODEL
MANAGER_WRITES = {"create", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "update", "delete"}
INSTANCE_WRITES = {"save", "delete"}


def _root(expr: ast.expr) -> tuple[ast.expr, list[str]]:
    """The name a chain like `X.objects.filter(…).first()` starts from, and the attributes on the way."""
    chain = []
    while True:
        if isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        elif isinstance(expr, ast.Attribute):
            chain.append(expr.attr)
            expr = expr.value
        else:
            return expr, chain


def _other_apps_models(tree: ast.Module, app: str) -> dict[str, str]:
    """Local name → app, for the model classes this module takes from another app's models."""
    models = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            parts = node.module.split(".")
            if parts[0] in APPS and parts[0] != app and parts[1:2] == ["models"]:
                models.update({alias.asname or alias.name: parts[0] for alias in node.names})
        elif isinstance(node, ast.Assign) and app != USER_APP:
            func = node.value.func if isinstance(node.value, ast.Call) else None
            if isinstance(func, ast.Name) and func.id == "get_user_model":
                models.update({t.id: USER_APP for t in node.targets if isinstance(t, ast.Name)})
    return models


def _owner(expr: ast.expr, names: dict[str, str]) -> str | None:
    root, _chain = _root(expr)
    return names.get(root.id) if isinstance(root, ast.Name) else None


def writes_to_other_apps(source: str, app: str) -> list[tuple[int, str, str]]:
    """(line, other app, code) for each write of `app`'s module `source` to another app's models."""
    tree = ast.parse(source)
    models = _other_apps_models(tree, app)
    if not models:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in MANAGER_WRITES:
            root, chain = _root(node.func.value)
            if (
                isinstance(root, ast.Name)
                and root.id in models
                and any(a.endswith(("objects", "_manager")) for a in chain)
            ):
                found.append((node.lineno, models[root.id], ast.unparse(node)[:120]))
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        instances = {}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and (owner := _owner(node.value, models)):
                instances.update({t.id: owner for t in node.targets if isinstance(t, ast.Name)})
            elif (
                isinstance(node, ast.For) and isinstance(node.target, ast.Name) and (owner := _owner(node.iter, models))
            ):
                instances[node.target.id] = owner
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in INSTANCE_WRITES
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in instances
            ):
                found.append((node.lineno, instances[node.func.value.id], ast.unparse(node)[:120]))
    return sorted(set(found))


def _app_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield app, path


def test_no_app_writes_another_apps_models():
    problems = [
        f"{path.relative_to(ROOT)}:{line}: writes {other}'s model: {code}"
        for app, path in _app_modules()
        for line, other, code in writes_to_other_apps(path.read_text(encoding="utf-8"), app)
    ]
    assert not problems, "Call a service of the app that owns the model instead:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "source",
    [
        "from units.models import AuditEntry\nAuditEntry.objects.bulk_create([])",
        "from units.models import Unit as U\nU.objects.filter(pk=1).update(name='x')",
        "from django.contrib.auth import get_user_model\nUser = get_user_model()\nUser.objects.create(username='a')",
        "from units.models import Unit\ndef f():\n    unit = Unit.objects.get(pk=1)\n    unit.save()",
        "from units.models import Unit\ndef f():\n    for unit in Unit.objects.all():\n        unit.delete()",
    ],
)
def test_the_check_sees_writes(source):
    assert writes_to_other_apps(source, "courses")


@pytest.mark.parametrize(
    "source",
    [
        "from units.models import Unit\nUnit.objects.filter(pk=1).first()",  # a read
        "from .models import Course\nCourse.objects.create(title='x')",  # its own model
        "from units.models import Unit\ncontext = {}\ncontext.update(unit=Unit)",  # not a manager
    ],
)
def test_the_check_lets_reads_and_own_writes_pass(source):
    assert not writes_to_other_apps(source, "courses")
