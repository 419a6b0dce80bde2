"""
The MFE widgets' browser harness (``frontend/harness/dist``), served from the sandbox LMS's own origin
under ``/harness/`` so that its session, JWT and CSRF cookies apply, as they do to an MFE on the LMS's
domain. Mounted only when the settings name the folder (``SANDBOX_HARNESS_DIR``: the test settings).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET


def _root() -> Path:
    root = Path(settings.SANDBOX_HARNESS_DIR)
    if not (root / "index.html").is_file():
        raise Http404("The harness is not built (node frontend/harness/build.mjs).")
    return root


@require_GET
def harness(request, path=""):
    """A file of the build; any other path below ``/harness/`` is a page of the single-page harness."""
    root = _root()
    if path and "/" not in path and path not in (".", "..") and (root / path).is_file():
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if path.endswith(".js"):
            content_type = "text/javascript"
        return FileResponse((root / path).open("rb"), content_type=content_type)
    # The about page lives at <base>/courses/<id>/about (as the catalog MFE's), and Stripe's cancel
    # link comes back there: its relative assets resolve against the harness's root.
    html = (root / "index.html").read_text(encoding="utf-8")
    base = reverse("harness", kwargs={"path": ""})
    html = html.replace("<head>", f'<head>\n  <base href="{base}">', 1)
    return HttpResponse(html, content_type="text/html; charset=utf-8")
