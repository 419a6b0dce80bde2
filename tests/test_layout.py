"""The package's layering: imports go from the edges to the domain folders to the foundations, never back."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "riseup_stripe_plugin"

EDGES = {"web", "api", "admin", "webhooks", "management", "urls", "urls_cms"}
DOMAIN = {"catalog", "orders", "billing", "enrollment", "configuration", "privacy"}
FOUNDATIONS = {"models", "states", "money", "conf", "stripe_gateway", "exceptions", "signals", "edxapp_wrapper",
               "local_answers"}
#: What foundations may take from a folder: the models the audience-scope field, ``conf`` the decryption
#: of the secrets it reads, the gateway the installation id it puts in keys and metadata (all three
#: import nothing above the foundations themselves).
ALLOWED = {("models", "catalog.scopes"), ("conf", "configuration.encryption"),
           ("stripe_gateway", "configuration.installation")}


def _part(relative: str) -> str:
    return relative.split(".")[0]


def _imports(path: Path) -> set[str]:
    """Modules of the package that ``path`` imports, relative to the package (``billing.invoices``)."""
    module = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    if "." not in module and path.name != "__init__.py":
        package = ""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [f"{target}.{alias.name}".strip(".") for alias in node.names]
                found.update(names)
            elif (node.module or "").startswith("riseup_stripe_plugin."):
                found.add(node.module.removeprefix("riseup_stripe_plugin."))
    return {name for name in found if name}


def _modules(parts):
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ("migrations", "settings", "locale", "templates"):
            continue
        if _part(".".join(relative.with_suffix("").parts)) in parts:
            yield path


@pytest.mark.parametrize("path", list(_modules(FOUNDATIONS | DOMAIN)), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_low_imports_anything_high(path):
    own = _part(".".join(path.relative_to(PACKAGE).with_suffix("").parts))
    forbidden = EDGES | (DOMAIN if own in FOUNDATIONS else set())
    wrong = sorted(
        name for name in _imports(path)
        if _part(name) in forbidden and _part(name) != own and (own, ".".join(name.split(".")[:2])) not in ALLOWED
    )
    assert not wrong, f"{path.relative_to(PACKAGE)} imports {wrong}"


def test_the_package_root_holds_no_domain_work():
    """The root keeps foundations and the modules that only keep published paths."""
    root = {path.stem for path in PACKAGE.glob("*.py")}
    assert root <= {"__init__", "apps", "checks", "conf", "exceptions", "filters", "local_answers", "money",
                    "receivers", "scopes", "signals", "states", "stripe_gateway", "tasks", "urls", "urls_cms"}


def test_published_paths_still_resolve_to_the_moved_code():
    from riseup_stripe_plugin import filters, scopes
    from riseup_stripe_plugin.catalog.scopes import ScopesField
    from riseup_stripe_plugin.enrollment.gate import PaidCourseEnrollmentGate
    from riseup_stripe_plugin.settings.common import FILTER_STEPS

    assert filters.PaidCourseEnrollmentGate is PaidCourseEnrollmentGate
    assert scopes.ScopesField is ScopesField
    assert ScopesField().deconstruct()[1] == "riseup_stripe_plugin.scopes.ScopesField"
    for steps in FILTER_STEPS.values():
        for step in steps:
            module, name = step.rsplit(".", 1)
            assert module == "riseup_stripe_plugin.filters" and hasattr(filters, name)
