"""The accessibility check of the browser tests: axe-core (bundled by axe-playwright-python) run in the page."""

from axe_playwright_python.base import AXE_SCRIPT

#: What the check refuses; "moderate" and "minor" findings are reported by axe but not failed on.
REFUSED = ("serious", "critical")

#: Django admin's own markup (header, navigation, filters, breadcrumbs): not the plugin's to fix.
DJANGO_ADMIN_CHROME = ["#header", "#nav-sidebar", "#toggle-nav-sidebar", ".breadcrumbs", "#changelist-filter",
                       "#changelist-search", ".actions", "#user-tools", ".paginator", "#skip-to-content"]


def violations(page, include=None, exclude=()) -> list[str]:
    """Serious and critical axe violations on the page (or the ``include`` selectors), as readable lines."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    context = {"exclude": [[selector] for selector in exclude]}
    if include:
        context["include"] = [[selector] for selector in include]
    result = page.evaluate("context => axe.run(context, {resultTypes: ['violations']})", context)
    return [f"{item['id']} ({item['impact']}): {item['help']} at {[node['target'] for node in item['nodes']]}"
            for item in result["violations"] if item["impact"] in REFUSED]
