"""The plugin's platform backend for the stand-in platform (``RISEUP_STRIPE_PLATFORM_BACKEND``)."""

from urllib.parse import urlencode

from crum import get_current_request as _current_request
from django.urls import reverse

from riseup_stripe_plugin.edxapp_wrapper import (
    INVITATION_AUTO_ENROLL,
    INVITATION_TO_ENROLL,
    CourseInfo,
    EnrollmentRefused,
)

from . import enrollment, retirement, tracking
from .models import Course, CourseAccessRole, CourseEnrollment, CourseEnrollmentAllowed, CourseRerunState

ENROLLMENT_ROLES = ("instructor", "staff")
#: The platform's course roles for money (student.roles CourseFinanceAdminRole, CourseSalesAdminRole).
MONEY_ROLES = ("finance_admin", "sales_admin")


def about_url(course_key):
    # The LMS's pages, also from Studio (whose URLconf has none), as the platform's course URLs are.
    return reverse("sandbox:about", args=[str(course_key)], urlconf="sandbox.urls")


def course_url(course_key):
    return reverse("sandbox:courseware", args=[str(course_key)], urlconf="sandbox.urls")


def _info(course):
    return CourseInfo.from_record(course.id, course_record(course), about_url=about_url(course.id),
                                  course_url=course_url(course.id))


def get_course(course_key):
    course = Course.objects.filter(id=course_key).first()
    return _info(course) if course else None


def get_courses(course_keys):
    return {course.id: _info(course) for course in Course.objects.filter(id__in=course_keys)}


def enroll(user, course_key, mode=None):
    try:
        return enrollment.enroll(user, course_key, mode=mode, check_access=False)
    except enrollment.CourseEnrollmentException as exc:
        raise EnrollmentRefused(str(exc) or exc.__class__.__name__) from exc


def unenroll(user, course_key):
    try:
        enrollment.unenroll(user, course_key, skip_refund=True)
    except enrollment.UnenrollmentNotAllowed as exc:
        raise EnrollmentRefused(str(exc) or exc.__class__.__name__) from exc


def is_enrolled(user, course_key):
    return enrollment.is_enrolled(user, course_key)


def get_current_request():
    return _current_request()


def get_current_user():
    request = _current_request()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def can_manage_enrollments(actor, course_key):
    if actor.is_staff or actor.is_superuser:
        return True
    return CourseAccessRole.objects.filter(user=actor, course_id=course_key, role__in=ENROLLMENT_ROLES).exists()


def can_edit_course(actor, course_key):
    return can_manage_enrollments(actor, course_key)


def can_change_price(actor, course_key):
    if actor.is_staff or actor.is_superuser:
        return True
    return CourseAccessRole.objects.filter(user=actor, course_id=course_key, role__in=MONEY_ROLES).exists()


def enrollment_invitation(user, email, course_key):
    invitations = list(CourseEnrollmentAllowed.objects.filter(email=email, course_id=course_key)
                       .values_list("auto_enroll", flat=True))
    if not invitations or CourseEnrollment.objects.filter(user=user, course_id=course_key).exists():
        return None
    return INVITATION_AUTO_ENROLL if any(invitations) else INVITATION_TO_ENROLL


def connect_course_rerun(handler):
    from openedx_events.content_authoring.signals import COURSE_RERUN_COMPLETED

    def on_rerun_completed(signal=None, sender=None, course=None, **kwargs):
        handler(course.course_key)

    COURSE_RERUN_COMPLETED.connect(on_rerun_completed, weak=False, dispatch_uid="riseup_stripe_rerun_event")


def connect_learner_contact_changed(handler):
    # The stand-in has no USER_FIELD_CHANGED: it compares the account's email and names before and after a save.
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_save, pre_save

    User = get_user_model()
    fields = ("email", "first_name", "last_name")

    def before(sender, instance, update_fields=None, **kwargs):
        instance._riseup_contact_before = None
        if instance.pk and (update_fields is None or set(update_fields) & set(fields)):
            instance._riseup_contact_before = User.objects.filter(pk=instance.pk).values_list(*fields).first()

    def after(sender, instance, created=False, **kwargs):
        old, instance._riseup_contact_before = getattr(instance, "_riseup_contact_before", None), None
        if not created and old is not None and old != tuple(getattr(instance, f) for f in fields):
            handler(instance)

    pre_save.connect(before, sender=User, weak=False, dispatch_uid="riseup_stripe_sandbox_contact_before")
    post_save.connect(after, sender=User, weak=False, dispatch_uid="riseup_stripe_sandbox_contact_after")


def course_rerun_source(course_key):
    rerun = CourseRerunState.objects.filter(course_key=course_key).select_related("created_user").first()
    return (rerun.source_course_key, rerun.created_user) if rerun is not None else None


def lms_root_url():
    from django.conf import settings

    return getattr(settings, "LMS_ROOT_URL", "")


def learner_page_base():
    # The stand-in of the LMS's main_django.html: a header (back to the LMS, sign-out, language) and a footer.
    return "sandbox/base.html"


def trusted_origins():
    from django.conf import settings

    # django-cors-headers reads CORS_ALLOWED_ORIGINS, or its old name CORS_ORIGIN_WHITELIST (tutor-mfe's).
    return list(getattr(settings, "CORS_ALLOWED_ORIGINS", None) or getattr(settings, "CORS_ORIGIN_WHITELIST", ()))


def login_url(next_url):
    return reverse("login") + "?" + urlencode({"next": next_url})


def course_model():
    # The stand-in's Course is the platform's CourseOverview: Studio's publish (sandbox.platform.studio) saves it.
    return Course


def course_record(course):
    return {"course_id": str(course.id), "display_name": course.display_name, "org": course.org,
            "image_url": course.course_image_url, "start": course.start, "end": course.end,
            "enrollment_start": course.enrollment_start, "enrollment_end": course.enrollment_end,
            "invitation_only": course.invitation_only, "catalog_visibility": course.catalog_visibility}


def enrolled_course_keys(user):
    return enrollment.enrolled_course_keys(user)


def enrollment_model():
    return CourseEnrollment, "user", "course_id"


def about_page_course_key(context):
    course = context.get("course")
    return getattr(course, "id", None)


def retirement_signals():
    return [retirement.USER_RETIRE_LMS_CRITICAL, retirement.USER_RETIRE_LMS_MISC]


def send_learner_message(name, user, context, language):
    """The platform's messaging (edx-ace) stands here as Django's mail, rendering the same templates."""
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.utils import translation

    def part(attribute):
        return render_to_string(f"riseup_stripe_plugin/edx_ace/{name}/email/{attribute}", context).strip()

    with translation.override(language or settings.LANGUAGE_CODE):
        email = EmailMultiAlternatives(subject=part("subject.txt"), body=part("body.txt"),
                                       from_email=f"{part('from_name.txt')} <{settings.DEFAULT_FROM_EMAIL}>",
                                       to=[user.email])
        email.attach_alternative(f"<html><head>{part('head.html')}</head><body>{part('body.html')}</body></html>",
                                 "text/html")
    email.send()


def learner_language(user):
    return None  # the stand-in keeps no language preference: the platform's default


def course_catalog_changed_signal():
    # The real openedx-events signal, as Studio sends it (see sandbox.platform.studio).
    from openedx_events.content_authoring.signals import COURSE_CATALOG_INFO_CHANGED

    return COURSE_CATALOG_INFO_CHANGED


def emit_event(name, data, context):
    tracking.emit(name, data, context)
