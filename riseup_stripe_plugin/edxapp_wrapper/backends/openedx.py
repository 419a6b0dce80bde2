"""
Backend for the Open edX platform, Ulmo and Verawood releases.

Platform modules are imported inside each function: this module imports
cleanly outside the platform, and the platform's apps are ready by the time
any of these functions runs.
"""

from urllib.parse import urlencode

from ...edxapp_wrapper import CourseInfo, EnrollmentRefused


def about_url(course_key):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("about_course", args=[str(course_key)])
    except NoReverseMatch:  # Studio has no course about page
        return ""


def course_url(course_key):
    return _course_home_url(course_key)


def _course_info(overview) -> CourseInfo:
    return CourseInfo.from_record(overview.id, course_record(overview), about_url=about_url(overview.id),
                                  course_url=_course_home_url(overview.id))


def _course_home_url(course_key):
    from django.urls import NoReverseMatch

    try:
        from openedx.features.course_experience import course_home_url
    except ImportError:  # Studio does not load the learner-facing course experience
        return ""
    try:
        return course_home_url(course_key)
    except NoReverseMatch:
        return ""


def get_course(course_key):
    from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

    try:
        return _course_info(CourseOverview.get_from_id(course_key))
    except CourseOverview.DoesNotExist:
        return None


def get_courses(course_keys):
    from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

    overviews = CourseOverview.objects.filter(id__in=course_keys)
    return {overview.id: _course_info(overview) for overview in overviews}


def enroll(user, course_key, mode=None):
    from common.djangoapps.student.models import CourseEnrollment, CourseEnrollmentException

    try:
        return CourseEnrollment.enroll(user, course_key, mode=mode, check_access=False)
    except CourseEnrollmentException as exc:  # EnrollmentNotAllowed, EnrollmentClosedError, CourseFullError...
        raise EnrollmentRefused(str(exc) or exc.__class__.__name__) from exc


def unenroll(user, course_key):
    from common.djangoapps.student.models import CourseEnrollment, UnenrollmentNotAllowed

    try:
        CourseEnrollment.unenroll(user, course_key, skip_refund=True)
    except UnenrollmentNotAllowed as exc:  # a CourseUnenrollmentStarted step refused
        raise EnrollmentRefused(str(exc) or exc.__class__.__name__) from exc


def is_enrolled(user, course_key):
    from common.djangoapps.student.models import CourseEnrollment

    return CourseEnrollment.is_enrolled(user, course_key)


def get_current_request():
    from crum import get_current_request as current

    return current()


def get_current_user():
    from crum import get_current_user as current

    user = current()
    return user if user is not None and user.is_authenticated else None


def can_manage_enrollments(actor, course_key):
    from common.djangoapps.student.roles import CourseInstructorRole, CourseStaffRole, GlobalStaff

    if GlobalStaff().has_user(actor):
        return True
    try:
        from lms.djangoapps.instructor.permissions import CAN_ENROLL
    except ImportError:  # outside the LMS: the course roles that may enroll
        return CourseInstructorRole(course_key).has_user(actor) or CourseStaffRole(course_key).has_user(actor)
    return actor.has_perm(CAN_ENROLL, course_key)


def can_edit_course(actor, course_key):
    from common.djangoapps.student.auth import has_studio_write_access

    return has_studio_write_access(actor, course_key)


def can_change_price(actor, course_key):
    from common.djangoapps.student.roles import CourseFinanceAdminRole, CourseSalesAdminRole, GlobalStaff

    return (
        GlobalStaff().has_user(actor)
        or CourseFinanceAdminRole(course_key).has_user(actor)
        or CourseSalesAdminRole(course_key).has_user(actor)
    )


def enrollment_invitation(user, email, course_key):
    from common.djangoapps.student.models import CourseEnrollment, CourseEnrollmentAllowed

    from ...edxapp_wrapper import INVITATION_AUTO_ENROLL, INVITATION_TO_ENROLL

    invitations = list(CourseEnrollmentAllowed.objects.filter(email=email, course_id=course_key)
                       .values_list("auto_enroll", flat=True))
    if not invitations or CourseEnrollment.objects.filter(user=user, course_id=course_key).exists():
        return None
    return INVITATION_AUTO_ENROLL if any(invitations) else INVITATION_TO_ENROLL


def connect_course_rerun(handler):
    # Verawood and Ulmo send openedx-events' COURSE_RERUN_COMPLETED once the re-run task succeeded; the
    # CourseRerunState row turning "succeeded" is what every release writes: listen to both.
    try:
        from openedx_events.content_authoring.signals import COURSE_RERUN_COMPLETED
    except ImportError:
        COURSE_RERUN_COMPLETED = None
    if COURSE_RERUN_COMPLETED is not None:
        def on_rerun_completed(signal=None, sender=None, course=None, **kwargs):
            handler(course.course_key)

        COURSE_RERUN_COMPLETED.connect(on_rerun_completed, weak=False, dispatch_uid="riseup_stripe_rerun_event")
    try:
        from common.djangoapps.course_action_state.models import CourseRerunState
    except ImportError:  # outside Studio's apps
        return
    from django.db.models.signals import post_save

    def on_rerun_state(sender, instance, **kwargs):
        if instance.state == "succeeded":
            handler(instance.course_key)

    post_save.connect(on_rerun_state, sender=CourseRerunState, weak=False, dispatch_uid="riseup_stripe_rerun_state")


def course_rerun_source(course_key):
    from common.djangoapps.course_action_state.models import CourseRerunState

    rerun = CourseRerunState.objects.filter(course_key=course_key).select_related("created_user").first()
    return (rerun.source_course_key, rerun.created_user) if rerun is not None else None


def lms_root_url():
    from django.conf import settings

    return getattr(settings, "LMS_ROOT_URL", "")


def learner_page_base():
    # lms/templates/main_django.html: the Django-template twin of main.html (header.html and footer.html,
    # both themable, around the "body" block), the page every Django-template view of the LMS extends.
    return "main_django.html"


def trusted_origins():
    from django.conf import settings

    # django-cors-headers reads CORS_ALLOWED_ORIGINS, or its old name CORS_ORIGIN_WHITELIST (tutor-mfe's).
    return list(getattr(settings, "CORS_ALLOWED_ORIGINS", None) or getattr(settings, "CORS_ORIGIN_WHITELIST", ()))


def login_url(next_url):
    return "/login?" + urlencode({"next": next_url})


def connect_learner_contact_changed(handler):
    # common/djangoapps/util/model_utils.py: sent after a change of a User field (table "auth_user",
    # setting "email", on the email change confirmation) or of a UserProfile field ("auth_userprofile",
    # "name", the full name shown and invoiced).
    from common.djangoapps.util.model_utils import USER_FIELD_CHANGED

    watched = {("auth_user", "email"), ("auth_userprofile", "name")}

    def on_field_changed(sender=None, user=None, table=None, setting=None, **kwargs):
        if (table, setting) in watched and user is not None:
            handler(user)

    USER_FIELD_CHANGED.connect(on_field_changed, weak=False, dispatch_uid="riseup_stripe_contact_changed")


def course_model():
    # Studio's course_published signal makes the course_overviews app reload the CourseOverview from the
    # modulestore and save it (course_overviews/signals.py, _listen_for_course_publish); the LMS saves one too
    # when it refreshes an outdated overview (CourseOverview.get_from_id), and deletes it with the course
    # (course_deleted). Every one of them is a save or a delete of this model.
    from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

    return CourseOverview


def course_record(overview):
    # openedx/core/djangoapps/content/course_overviews/models.py: display_name may be empty (the property
    # falls back to the course's URL name), display_org_with_default is a column.
    return {"course_id": str(overview.id), "display_name": overview.display_name_with_default,
            "org": overview.display_org_with_default, "image_url": overview.course_image_url or "",
            "start": overview.start, "end": overview.end, "enrollment_start": overview.enrollment_start,
            "enrollment_end": overview.enrollment_end, "invitation_only": bool(overview.invitation_only),
            "catalog_visibility": overview.catalog_visibility or "both"}


def enrolled_course_keys(user):
    from common.djangoapps.student.models import CourseEnrollment

    return CourseEnrollment.objects.filter(user=user, is_active=True).values_list("course_id", flat=True)


def enrollment_model():
    # CourseEnrollment.course is a foreign key to CourseOverview without constraint; its column, course_id,
    # holds the key's string.
    from common.djangoapps.student.models import CourseEnrollment

    return CourseEnrollment, "user", "course"


def about_page_course_key(context):
    # lms/djangoapps/courseware/views/views.py course_about: "course" is the course block, "course_details"
    # its CourseDetails.
    course = context.get("course")
    if course is not None and getattr(course, "id", None) is not None:
        return course.id
    details = context.get("course_details")
    return getattr(details, "course_id", None)


def retirement_signals():
    try:
        from openedx.core.djangoapps.user_api.accounts.signals import (
            USER_RETIRE_LMS_CRITICAL,
            USER_RETIRE_LMS_MISC,
        )
    except ImportError:  # a platform without the retirement pipeline
        return []
    return [USER_RETIRE_LMS_CRITICAL, USER_RETIRE_LMS_MISC]


def send_learner_message(name, user, context, language):
    from django.contrib.sites.models import Site
    from edx_ace import ace
    from edx_ace.recipient import Recipient
    from openedx.core.djangoapps.ace_common.message import BaseMessageType
    from openedx.core.djangoapps.ace_common.template_context import get_base_template_context

    # The message type names its templates: riseup_stripe_plugin/edx_ace/<name>/email/...
    message_type = type(f"RiseupStripe_{name}", (BaseMessageType,), {"APP_LABEL": "riseup_stripe_plugin",
                                                                     "NAME": name})()
    message_type.options["transactional"] = True  # a receipt: sent whatever the learner's marketing choices
    message = message_type.personalize(
        recipient=Recipient(user.id, user.email), language=language,
        user_context={**get_base_template_context(Site.objects.get_current()), **context},
    )
    ace.send(message)


def learner_language(user):
    from openedx.core.djangoapps.lang_pref import LANGUAGE_KEY
    from openedx.core.djangoapps.user_api.preferences.api import get_user_preference

    return get_user_preference(user, LANGUAGE_KEY)


def course_catalog_changed_signal():
    try:
        from openedx_events.content_authoring.signals import COURSE_CATALOG_INFO_CHANGED
    except ImportError:
        return None
    return COURSE_CATALOG_INFO_CHANGED


def emit_event(name, data, context):
    from eventtracking import tracker

    current = tracker.get_tracker()
    with current.context(name, context):
        current.emit(name, data)
