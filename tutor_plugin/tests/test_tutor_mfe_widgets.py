"""The storefront widgets in the catalog and learner-dashboard MFE builds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from tutor_helpers import PLUGIN, Project

PACKAGE_WIDGETS = (
    Path(__file__).resolve().parents[1]
    / "tutor_riseup_stripe"
    / "templates"
    / "riseup-stripe-mfe"
)
REPO_FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
BUILD = "plugins/mfe/build/mfe"
SLOTS = json.loads((PACKAGE_WIDGETS / "slots.json").read_text(encoding="utf-8"))
VARIABLE = SLOTS["variable"]


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def app_blocks(env_config: str) -> dict[str, str]:
    """The body of each ``if (process.env.APP_ID == '<app>') {`` block."""
    pattern = re.compile(r"if \(process\.env\.APP_ID == '([\w-]+)'\) \{")
    matches = list(pattern.finditer(env_config))
    blocks: dict[str, str] = {}
    for match, following in zip(matches, matches[1:] + [None]):
        end = following.start() if following else len(env_config)
        blocks.setdefault(match.group(1), "")
        blocks[match.group(1)] += env_config[match.end() : end]
    return blocks


def test_env_config_fills_each_slot_in_its_mfe_only(project: Project) -> None:
    env_config = project.read(f"{BUILD}/env.config.jsx")
    blocks = app_blocks(env_config)
    for app, spec in SLOTS["apps"].items():
        block = blocks[app]
        assert (
            f"const {VARIABLE} = await import('./riseup-stripe-mfe/{spec['module']}');"
            in block
        )
        for entry in spec["slots"]:
            assert f"addPlugins(config, '{entry['slot']}', [{{ op:" in block, entry
            assert f"{VARIABLE}.{entry['widget']}" in block
    # Nowhere else: not in the part every MFE runs, nor in another MFE's block
    others = [app for app in blocks if app not in SLOTS["apps"]]
    assert "learning" in others and "account" in others
    for app in others:
        assert VARIABLE not in blocks[app] and "riseup" not in blocks[app], app
    shared = env_config[: env_config.index("if (process.env.APP_ID ==")]
    assert "riseup" not in shared


def test_wraps_come_after_a_theme_card(copy: Project, tmp_path: Path) -> None:
    """A theme's card in the same slot is listed first, so our Wrap finds it."""
    plugin = tmp_path / "plugins" / "themecard.py"
    plugin.parent.mkdir(parents=True, exist_ok=True)
    plugin.write_text(
        "from tutormfe.hooks import PLUGIN_SLOTS\n"
        "PLUGIN_SLOTS.add_item(('catalog',"
        " 'org.openedx.frontend.catalog.course_catalog_page.data_table.course_card',"
        " \"{ op: PLUGIN_OPERATIONS.Insert, widget: { id: 'indigo-catalog-course-card',"
        ' type: DIRECT_PLUGIN, priority: 50, RenderWidget: () => null } }"))\n',
        encoding="utf-8",
    )
    copy.run("plugins", "enable", "themecard")
    block = app_blocks(copy.read(f"{BUILD}/env.config.jsx"))["catalog"]
    theme = block.index("id: 'indigo-catalog-course-card'")
    wrap = block.index('widgetId: "indigo-catalog-course-card"')
    assert theme < wrap


def test_widget_sources_are_copied_byte_for_byte(project: Project) -> None:
    """JSX is not a Jinja template: `{{ }}` in the sources must survive."""
    built = _files(project.env_dir / BUILD / "riseup-stripe-mfe")
    assert built == _files(PACKAGE_WIDGETS)
    assert any(b"{{" in content for content in built.values())


@pytest.mark.skipif(
    not (REPO_FRONTEND / "src").is_dir(), reason="needs the repository's frontend/"
)
def test_package_copy_of_the_widgets_is_up_to_date() -> None:
    assert _files(PACKAGE_WIDGETS) == _files(REPO_FRONTEND / "src"), (
        "Run: npm --prefix frontend run sync:tutor"
    )


def test_dockerfile_copies_the_widgets_into_two_mfe_builds(project: Project) -> None:
    dockerfile = project.read(f"{BUILD}/Dockerfile")
    stages = re.split(r"\n(?=FROM )", dockerfile)
    copying = [
        stage.splitlines()[0]
        for stage in stages
        if "COPY riseup-stripe-mfe /openedx/app/riseup-stripe-mfe" in stage
    ]
    assert sorted(copying) == [
        "FROM base AS catalog-common",
        "FROM base AS learner-dashboard-common",
    ]


def _compile(env_config: Path, app: str) -> list[str]:
    node = shutil.which("node")
    esbuild = REPO_FRONTEND / "node_modules" / "esbuild"
    if not node or not esbuild.is_dir():
        pytest.fail(
            "Compiling env.config.jsx needs Node and frontend/node_modules:"
            " run frontend/test.sh (or npm --prefix frontend ci) first"
        )
    result = subprocess.run(
        [
            node,
            str(REPO_FRONTEND / "scripts" / "compile-env-config.mjs"),
            str(env_config),
            app,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    inputs: list[str] = json.loads(result.stdout)["inputs"]
    marker = "riseup-stripe-mfe/"
    return [name.split(marker, 1)[1] for name in inputs if marker in name]


@pytest.mark.skipif(
    not (REPO_FRONTEND / "scripts").is_dir(), reason="needs the repository's frontend/"
)
def test_env_config_compiles_with_the_widgets(copy: Project) -> None:
    env_config = copy.env_dir / BUILD / "env.config.jsx"
    catalog = _compile(env_config, "catalog")
    assert {"catalog.jsx", "widgets/BuyButton.jsx", "widgets/PriceFilter.jsx"} <= set(
        catalog
    )
    assert "widgets/InvoiceLink.jsx" not in catalog
    dashboard = _compile(env_config, "learner-dashboard")
    assert {"learner-dashboard.jsx", "widgets/InvoiceLink.jsx"} <= set(dashboard)
    assert "widgets/BuyButton.jsx" not in dashboard
    # Another MFE's build has no copy of the widgets, and does not need one
    shutil.rmtree(copy.env_dir / BUILD / "riseup-stripe-mfe")
    assert _compile(env_config, "learning") == []


def test_no_widgets_without_mfe(tmp_path: Path) -> None:
    proj = Project(tmp_path)
    proj.save("LMS_HOST=lms.example.com")
    proj.run("plugins", "disable", "mfe")
    proj.run("plugins", "enable", PLUGIN)
    assert not list(proj.env_dir.rglob("riseup-stripe-mfe"))
    assert proj.files_containing(VARIABLE) == set()
    assert proj.files_containing("riseup-stripe-mfe") == set()
