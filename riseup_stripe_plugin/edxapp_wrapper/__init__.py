"""
The platform boundary: the only way the plugin reaches Open edX.

Every import of platform code (``openedx.*``, ``common.djangoapps.*``,
``lms.*``, ``xmodule``) lives in a backend module under ``backends/``, chosen by
the ``RISEUP_STRIPE_PLATFORM_BACKEND`` setting. The rest of the plugin calls the
small functions below, so it imports and tests without the platform, and a
platform release that moves a class changes one backend, not the plugin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import import_module

from .. import conf

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CourseInfo:
    """What the plugin needs to know about a course, whatever the platform release."""

    course_key: object
    display_name: str
    org: str
    about_url: str
    course_url: str
    image_url: str = ""
    start: datetime | None = None
    end: datetime | None = None
    enrollment_start: datetime | None = None
    enrollment_end: datetime | None = None
    invitation_only: bool = False
    catalog_visibility: str = "both"

    @classmethod
    def from_record(cls, course_key, record: dict, *, about_url: str, course_url: str) -> CourseInfo:
        """From a backend's course record (:func:`course_records`), so both say the same of a course."""
        fields = {name: value for name, value in record.items() if name != "course_id"}
        return cls(course_key=course_key, about_url=about_url, course_url=course_url, **fields)


class EnrollmentRefused(Exception):
    """The platform refused an enrollment (a filter step, closed enrollment, a full course...)."""


@lru_cache(maxsize=4)
def _load(path: str):
    return import_module(path)


def backend():
    """The backend module named by the setting (imported once)."""
    return _load(conf.get("RISEUP_STRIPE_PLATFORM_BACKEND"))


def get_course(course_key) -> CourseInfo | None:
    """One course's information, or None when the platform does not know it."""
    return backend().get_course(course_key)


def course_url(course_key) -> str:
    """The course's own page for a learner, from its key alone (no read of the course)."""
    return backend().course_url(course_key)


def get_courses(course_keys) -> dict:
    """Several courses at once, keyed by course key, in a bounded number of queries."""
    return backend().get_courses(list(course_keys))


def enroll(user, course_key, mode: str | None = None):
    """Enroll through the platform's own enrollment call, filters included."""
    return backend().enroll(user, course_key, mode=mode)


def unenroll(user, course_key) -> None:
    """Unenroll without the platform's legacy refund machinery (``skip_refund=True``)."""
    backend().unenroll(user, course_key)


def is_enrolled(user, course_key) -> bool:
    return bool(user and user.is_authenticated and backend().is_enrolled(user, course_key))


def get_current_request():
    return backend().get_current_request()


def get_current_user():
    """The user acting in the current request, or None outside any request."""
    return backend().get_current_user()


def can_manage_enrollments(actor, course_key) -> bool:
    """Whether ``actor`` may enroll other people in the course (staff, instructor, enrollment role)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return bool(backend().can_manage_enrollments(actor, course_key))


def can_edit_course(actor, course_key) -> bool:
    """Whether ``actor`` belongs to the course team (may change the course's configuration, its price)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return bool(backend().can_edit_course(actor, course_key))


def can_change_price(actor, course_key) -> bool:
    """
    Whether ``actor`` may change what a course costs: global staff, or the platform's course roles made
    for money (``finance_admin``, ``sales_admin``); not the whole course team.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return bool(backend().can_change_price(actor, course_key))


#: What :func:`enrollment_invitation` answers: staff enrolled the person on registration (``auto_enroll``),
#: or invited them to click "Enroll" themselves.
INVITATION_AUTO_ENROLL = "auto_enroll"
INVITATION_TO_ENROLL = "to_enroll"


def enrollment_invitation(user, course_key) -> str | None:
    """
    How staff invited this person to the course (the platform's CourseEnrollmentAllowed), or None.

    An invitation opens the course once: a learner who was enrolled before (and
    unenrolled, or refunded) does not get back in by it.
    """
    email = getattr(user, "email", "")
    if not email:
        return None
    return backend().enrollment_invitation(user, email, course_key)


def connect_course_rerun(handler) -> None:
    """
    Call ``handler(course_key)`` when Studio finishes re-running a course into ``course_key``.

    The backend listens to what its platform release sends (openedx-events' ``COURSE_RERUN_COMPLETED``,
    the platform's ``CourseRerunState`` turning "succeeded"); the handler may hear one re-run twice.
    """
    backend().connect_course_rerun(handler)


def connect_learner_contact_changed(handler) -> None:
    """
    Call ``handler(user)`` when a learner's email or full name changes on the platform.

    The backend listens to what its platform sends (the platform's ``USER_FIELD_CHANGED`` for the
    account's email and the profile's name); the handler may hear one change twice.
    """
    backend().connect_learner_contact_changed(handler)


def course_rerun_source(course_key):
    """``(source course key, user who asked for the re-run or None)`` for a re-run, else None."""
    return backend().course_rerun_source(course_key)


def lms_root_url() -> str:
    """The LMS's own address (``LMS_ROOT_URL``), for links built outside the LMS (Studio)."""
    return (backend().lms_root_url() or "").rstrip("/")


#: The blocks of :func:`learner_page_base` the learner pages fill (those of the LMS's ``main_django.html``).
LEARNER_PAGE_BLOCKS = ("title", "headextra", "bodyclass", "body")


def learner_page_base() -> str:
    """
    The template the plugin's learner pages extend: the platform's own page (its header with sign-out
    and language, its footer, its theme), with the blocks of :data:`LEARNER_PAGE_BLOCKS`.
    """
    return backend().learner_page_base()


def trusted_origins() -> list[str]:
    """
    The other origins the LMS trusts with its learners' credentials: the MFEs' (django-cors-headers'
    whitelist, which tutor-mfe fills), as ``scheme://host[:port]``.
    """
    return [str(origin).rstrip("/") for origin in backend().trusted_origins()]


def login_url(next_url: str) -> str:
    """
    The sign-in page, coming back to ``next_url`` afterwards: ``RISEUP_STRIPE_LOGIN_URL`` when a site sets
    one (e.g. the authn MFE's address), else the platform's own.
    """
    configured = conf.get("RISEUP_STRIPE_LOGIN_URL")
    if configured:
        from urllib.parse import urlencode

        return f"{configured}{'&' if '?' in configured else '?'}{urlencode({'next': next_url})}"
    return backend().login_url(next_url)


#: The fields of a course record (:func:`course_records`), what the catalog's read model keeps of a course.
COURSE_RECORD_FIELDS = ("course_id", "display_name", "org", "image_url", "start", "end", "enrollment_start",
                        "enrollment_end", "invitation_only", "catalog_visibility")


def course_records(course_keys=None):
    """
    The platform's courses as plain dicts (:data:`COURSE_RECORD_FIELDS`, ``course_id`` a string), every
    course when ``course_keys`` is None, hidden ones included; read in batches, for the catalog's rebuild.
    """
    courses = backend().course_model().objects.order_by("id")
    if course_keys is not None:
        courses = courses.filter(id__in=list(course_keys))
    for course in courses.iterator(chunk_size=2000):
        yield backend().course_record(course)


def connect_course_changed(saved, deleted) -> None:
    """
    Call ``saved(record)`` when the platform writes a course (created, published, its catalog data
    refreshed) and ``deleted(course_key)`` when it removes one, in the transaction that does it.

    The backend names the platform's own course table (``CourseOverview``, which Studio's publish and
    the LMS's refresh both save); a change made around the ORM (SQL, ``QuerySet.update``) is not heard:
    ``riseup_stripe_rebuild_catalog`` catches up with it.
    """
    from django.db.models.signals import post_delete, post_save

    def on_save(sender, instance, raw=False, **kwargs):
        if not raw:
            saved(backend().course_record(instance))

    def on_delete(sender, instance, **kwargs):
        deleted(instance.id)

    model = backend().course_model()
    post_save.connect(on_save, sender=model, weak=False, dispatch_uid="riseup_stripe_course_saved")
    post_delete.connect(on_delete, sender=model, weak=False, dispatch_uid="riseup_stripe_course_deleted")


#: A course key that reverses like any other, to find where the key goes in a course's URLs.
_SAMPLE_COURSE_ID = "course-v1:RiseUpSample+URL0+R0"


def _key_template(build: Callable[[str], str]) -> Callable[[str], str]:
    """One reversal of ``build`` with a sample key, then string concatenation for every course."""
    sample = build(_SAMPLE_COURSE_ID) or ""
    prefix, found, suffix = sample.partition(_SAMPLE_COURSE_ID)
    if not found:  # the address does not carry the key as it is: build each one
        return build
    return lambda course_id: prefix + str(course_id) + suffix


def course_link_builders() -> tuple[Callable[[str], str], Callable[[str], str]]:
    """
    ``(about_url, course_url)``: functions of a course id giving its about page and its course home, each
    reversed once per script prefix and URLconf (as the purchase page's path is, ``catalog.offers``).
    """
    from django.urls import get_script_prefix, get_urlconf

    return _link_builders(backend(), get_script_prefix(), get_urlconf())


@lru_cache(maxsize=8)
def _link_builders(module, script_prefix: str, urlconf):
    return _key_template(module.about_url), _key_template(module.course_url)


def enrolled_course_keys(user, course_keys=None) -> set:
    """
    The keys of the courses the learner is actively enrolled in, in one query (empty for anonymous).

    With ``course_keys`` (a page's courses, keys or their strings): among those only, as strings.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if course_keys is not None:
        return set(_enrolled_among(user, course_keys))
    return set(backend().enrolled_course_keys(user))


def _enrolled_among(user, course_keys) -> list[str]:
    # A catalog or storefront page asks this on every request: the SELECT the ORM would compile, written once
    # per page size, the course ids passed as the strings they are stored as.
    from django.db import connections, router

    ids = list(dict.fromkeys(str(key) for key in course_keys))
    if not ids:
        return []
    model, user_field, course_field = backend().enrollment_model()
    alias = router.db_for_read(model)
    with connections[alias].cursor() as cursor:
        cursor.execute(_enrolled_sql(model, user_field, course_field, alias, len(ids)), [user.pk, True, *ids])
        return [str(row[0]) for row in cursor.fetchall()]


@lru_cache(maxsize=64)
def _enrolled_sql(model, user_field, course_field, alias, count):
    from django.db import connections

    quote = connections[alias].ops.quote_name
    course = quote(model._meta.get_field(course_field).column)
    return (f"SELECT {course} FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.get_field(user_field).column)} = %s "
            f"AND {quote(model._meta.get_field('is_active').column)} = %s "
            f"AND {course} IN ({', '.join(['%s'] * count)})")


def about_page_course_key(context: dict):
    """The course key of a course about page, from the context its template receives (None if absent)."""
    return backend().about_page_course_key(context)


def retirement_signals() -> list:
    """The platform's user retirement signals (sent with ``user=``); empty where the platform has none."""
    return list(backend().retirement_signals())


def send_learner_message(name: str, user, context: dict, language: str | None) -> None:
    """
    Email ``user`` the message ``name`` through the platform's messaging (edx-ace on Open edX).

    Its templates are the plugin's ``riseup_stripe_plugin/edx_ace/<name>/email/`` (subject, body.txt,
    body.html, head.html, from_name), rendered in ``language`` with ``context``.
    """
    backend().send_learner_message(name, user, context, language)


def learner_language(user) -> str | None:
    """The language the learner chose on the platform (None: the platform's default)."""
    return backend().learner_language(user)


def course_catalog_changed_signal():
    """Studio's ``COURSE_CATALOG_INFO_CHANGED`` (openedx-events, ``catalog_info=``); None where it does not exist."""
    return backend().course_catalog_changed_signal()


def emit_event(name: str, data: dict, context: dict) -> None:
    """
    One tracking-log event through the platform's ``eventtracking`` tracker.

    ``context`` is merged into the tracker's own (a request's user, path and agent when there is one):
    webhooks and tasks have no request, so the plugin's events always say their course, org and learner.
    """
    backend().emit_event(name, data, context)


def set_custom_attributes(**attributes) -> None:
    """
    Monitoring custom attributes on the current transaction, named ``riseup_stripe.<key>``.

    Through edx-django-utils, as the platform's own code sets them: they reach whichever
    monitoring the platform configures (``OPENEDX_TELEMETRY``: New Relic, Datadog,
    OpenTelemetry). Ids, types and outcomes only, never personal data or a secret. A
    monitoring failure never breaks the payment it describes.
    """
    try:
        from edx_django_utils.monitoring import set_custom_attribute

        for key, value in attributes.items():
            set_custom_attribute(f"riseup_stripe.{key}", value)
    except Exception:  # noqa: BLE001 - monitoring is best effort
        _log.debug("Monitoring custom attributes not set", exc_info=True)
