"""
The learner pages (purchase, return, My invoices, catalog) inside the platform's own page.

In the platform, the base is the LMS's ``main_django.html`` (its header with sign-out and language,
its footer, its theme); the sandbox renders its stand-in. Both are reached through the platform
boundary, and both are checked here by rendering the real views.
"""

from html.parser import HTMLParser

import pytest
from django.template.loader import get_template
from django.urls import reverse

from riseup_stripe_plugin import edxapp_wrapper as platform
from riseup_stripe_plugin.edxapp_wrapper.backends import openedx

from . import factories
from .purchases import paid_purchase

pytestmark = pytest.mark.django_db(transaction=True)

#: A stand-in of the LMS's lms/templates/main_django.html with its blocks (Verawood), header and footer
#: replaced by markers.
FAKE_MAIN_DJANGO = """<!DOCTYPE html>{% load i18n %}
<html lang="{{ LANGUAGE_CODE }}"><head><meta charset="UTF-8"><title>{% block title %}PLATFORM{% endblock %}</title>
{% block main_vendor_js %}{% endblock %}{% block headextra %}{% endblock %}</head>
<body class="{% block bodyclass %}{% endblock %} lang_{{ LANGUAGE_CODE }}">
<div class="window-wrap"><a class="nav-skip" href="#main">Skip to main content</a>
<header id="lms-theme-header"><a href="/dashboard">Dashboard</a>
<a href="/logout" id="lms-theme-sign-out">Sign Out</a></header>
<div class="content-wrapper" id="content">{% block body %}{% endblock %}{% block bodyextra %}{% endblock %}</div>
<footer id="lms-theme-footer">Theme footer</footer></div></body></html>
"""


class Tree(HTMLParser):
    """Each element's tag, attributes and ancestors (enough to say what is inside what)."""

    VOID = {"meta", "link", "input", "img", "br", "hr", "source"}

    def __init__(self, html):
        super().__init__()
        self.stack, self.elements, self.title = [], [], ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, "attrs": dict(attrs), "ancestors": list(self.stack)}
        self.elements.append(element)
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()["tag"] == tag:
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1]["tag"] == "title":
            self.title += data

    def find(self, tag, **attrs):
        found = [e for e in self.elements if e["tag"] == tag and all(e["attrs"].get(k) == v for k, v in attrs.items())]
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}>"
        return found[0]

    def count(self, tag, **attrs):
        return sum(1 for e in self.elements if e["tag"] == tag
                   and all(e["attrs"].get(k) == v for k, v in attrs.items()))


def inside(element, tag, **attrs):
    return any(a["tag"] == tag and all(a["attrs"].get(k) == v for k, v in attrs.items())
               for a in element["ancestors"])


@pytest.fixture
def pages(client, stripe):
    """The four learner pages of one signed-in learner who bought a course: {name: response}."""
    learner = factories.user()
    course, _ = factories.paid_course(price=4900, currency="eur", name="Chrome Course")
    other, _ = factories.paid_course(price=2500, currency="eur", name="Not Bought Yet")
    order, invoice = paid_purchase(client, stripe, learner, course, webhooks=False)

    def get_all():
        return {
            "purchase": client.get(reverse("riseup_stripe:purchase", kwargs={"course_id": str(other.id)})),
            "return": client.get(reverse("riseup_stripe:checkout_return") + f"?session_id={order.checkout_session_id}"),
            "invoices": client.get(reverse("riseup_stripe:my_invoices")),
            "catalog": client.get(reverse("riseup_stripe:catalog")),
        }
    return {"get_all": get_all, "invoice": invoice, "learner": learner}


#: What each page shows of its own, to find it inside the base.
OWN_CONTENT = {"purchase": "Not Bought Yet", "return": "You are enrolled", "invoices": "My invoices",
               "catalog": "Course catalog"}


def test_sandbox_pages_are_inside_the_stand_in_base(pages):
    assert platform.learner_page_base() == "sandbox/base.html"
    for name, response in pages["get_all"]().items():
        assert response.status_code == 200, name
        html = response.content.decode()
        tree = Tree(html)
        # The stand-in's header: back to the LMS, sign-out, language switch; and its footer.
        header = tree.find("header", **{"data-lms": "header"})
        assert tree.find("a", id="lms-home")["attrs"]["href"] == "/"
        sign_out = tree.find("button", id="lms-sign-out")
        assert inside(sign_out, "form", action=reverse("logout")) and inside(sign_out, "header")
        assert inside(tree.find("select", id="lang"), "form", action=reverse("set_language"))
        assert {e["attrs"]["value"] for e in tree.elements if e["tag"] == "option"} >= {"en", "fr"}
        footer = tree.find("footer", **{"data-lms": "footer"})
        # The page itself: one <main>, inside the base's content area, between header and footer.
        main = tree.find("main", id="main")
        assert inside(main, "div", id="content") and not inside(main, "header"), name
        assert tree.elements.index(header) < tree.elements.index(main) < tree.elements.index(footer)
        assert OWN_CONTENT[name] in html, name
        assert tree.find("body")["attrs"]["class"].split()[0] == "riseup-stripe-page"
        assert tree.count("html") == 1 and tree.count("header") == 1
        # The plugin's styles are in the head, scoped to the plugin's part of the page.
        assert inside(tree.find("nav", **{"data-riseup-stripe": "nav"}), "div", **{"class": "riseup-stripe"})
    assert pages["invoice"].number in pages["get_all"]()["invoices"].content.decode()


def test_sandbox_pages_follow_the_language_switch(client, pages):
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    for name, response in pages["get_all"]().items():
        tree = Tree(response.content.decode())
        assert tree.find("html")["attrs"]["lang"] == "fr", name
        assert "selected" in tree.find("option", value="fr")["attrs"], name
    invoices = pages["get_all"]()["invoices"].content.decode()
    assert "Mes factures" in invoices and "Catalogue" in invoices


def test_the_pages_fill_only_blocks_of_the_platform_base():
    """base.html fills exactly the blocks the LMS's main_django.html has, and nothing else."""
    nodelist = get_template("riseup_stripe_plugin/base.html").template.nodelist
    extends = next(node for node in nodelist if node.__class__.__name__ == "ExtendsNode")
    assert set(extends.blocks) - {"head", "content"} == set(platform.LEARNER_PAGE_BLOCKS)
    assert openedx.learner_page_base() == "main_django.html"


@pytest.fixture
def lms_base(settings, tmp_path):
    """The Open edX backend's base, and a main_django.html like the LMS's in a template directory."""
    (tmp_path / "main_django.html").write_text(FAKE_MAIN_DJANGO)
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [str(tmp_path), *templates[0].get("DIRS", [])]
    settings.TEMPLATES = templates
    settings.RISEUP_STRIPE_PLATFORM_BACKEND = "tests.platform_chrome"
    assert platform.learner_page_base() == "main_django.html"


def test_platform_pages_are_inside_main_django(pages, lms_base):
    for name, response in pages["get_all"]().items():
        assert response.status_code == 200, name
        html = response.content.decode()
        tree = Tree(html)
        # The LMS's header, footer and theme, and none of the sandbox's stand-in.
        assert inside(tree.find("a", id="lms-theme-sign-out"), "header", id="lms-theme-header")
        footer = tree.find("footer", id="lms-theme-footer")
        assert tree.count("header", **{"data-lms": "header"}) == 0 and "Sandbox LMS" not in html
        main = tree.find("main", id="main")
        assert inside(main, "div", id="content") and inside(main, "div", **{"class": "window-wrap"})
        assert tree.elements.index(main) < tree.elements.index(footer)
        assert OWN_CONTENT[name] in html, name
        # Each block landed in the LMS's: the page's title, the styles in the head, the body class.
        assert tree.title.strip() and tree.title.strip() != "PLATFORM", name
        styles = [e for e in tree.elements if e["tag"] == "style"]
        assert styles and all(inside(style, "head") for style in styles), name
        assert tree.find("body")["attrs"]["class"].split() == ["riseup-stripe-page", "lang_en"]
    titles = {name: Tree(r.content.decode()).title.strip() for name, r in pages["get_all"]().items()}
    assert titles["invoices"] == "My invoices" and titles["catalog"] == "Course catalog"
    assert titles["purchase"] == "Not Bought Yet"
