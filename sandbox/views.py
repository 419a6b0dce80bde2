"""The stand-in platform's pages: course list, course about page, enrollment, courseware."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from openedx_filters.learning.filters import CourseAboutRenderStarted

from riseup_stripe_plugin import money
from riseup_stripe_plugin.models import CourseOffer

from .platform import backend, enrollment
from .platform.models import Course, CourseEnrollmentAllowed


def _course(course_id):
    try:
        key = CourseKey.from_string(course_id)
    except InvalidKeyError as exc:
        raise Http404 from exc
    course = Course.objects.filter(id=key).first()
    if course is None:
        raise Http404
    return course


def _offer_prices(courses):
    offers = {o.course_key: o for o in CourseOffer.objects.filter(course_key__in=[c.id for c in courses])}
    return {
        key: money.format_price_ttc(o.price, o.currency) for key, o in offers.items() if o.is_paid
    }


def home(request):
    courses = list(Course.objects.order_by("display_name"))
    prices = _offer_prices(courses)
    rows = [{"course": c, "price": prices.get(c.id, "")} for c in courses]
    return render(request, "sandbox/home.html", {"rows": rows})


def _can_enroll(user, course):
    """Like the platform's ENROLL_IN_COURSE permission: enrollment window open, invitation if required."""
    now = timezone.now()
    if course.enrollment_start and now < course.enrollment_start:
        return False
    if course.enrollment_end and now > course.enrollment_end:
        return False
    if course.invitation_only:
        email = getattr(user, "email", "") if user.is_authenticated else ""
        return bool(email) and CourseEnrollmentAllowed.objects.filter(email=email, course_id=course.id).exists()
    return True


def course_about(request, course_id):
    """Like ``lms/djangoapps/courseware/views/views.py course_about``: the same context, the same filter."""
    course = _course(course_id)
    registered = request.user.is_authenticated and enrollment.is_enrolled(request.user, course.id)
    can_enroll = _can_enroll(request.user, course)
    context = {
        "course": course,
        "course_details": None,
        "staff_access": request.user.is_staff,
        "studio_url": None,
        "registered": registered,
        "course_target": reverse("sandbox:courseware", args=[str(course.id)]),
        "is_cosmetic_price_enabled": False,
        "course_price": "",
        "ecommerce_checkout": False,
        "ecommerce_checkout_link": "",
        "ecommerce_bulk_checkout_link": "",
        "single_paid_mode": None,
        "show_courseware_link": registered or request.user.is_staff,
        "is_course_full": False,
        "can_enroll": can_enroll,
        "invitation_only": course.invitation_only,
        "active_reg_button": not registered and can_enroll,
        "is_shib_course": False,
        "disable_courseware_header": True,
        "pre_requisite_courses": [],
        "course_image_urls": {"large": course.course_image_url},
        "sidebar_html_enabled": False,
        "allow_anonymous": False,
    }
    template_name = "sandbox/about.html"
    try:
        context, template_name = CourseAboutRenderStarted.run_filter(context=context, template_name=template_name)
    except CourseAboutRenderStarted.RenderInvalidCourseAbout as exc:
        return render(request, exc.course_about_template, exc.template_context)
    except CourseAboutRenderStarted.RedirectToPage as exc:
        return redirect(exc.redirect_to or "sandbox:home")
    except CourseAboutRenderStarted.RenderCustomResponse as exc:
        return exc.response or render(request, template_name, context)
    return render(request, template_name, context)


@login_required
@require_POST
def self_enroll(request, course_id):
    """Like the platform's ``change_enrollment``: the learner enrolls themselves."""
    course = _course(course_id)
    try:
        enrollment.enroll(request.user, course.id)
    except enrollment.EnrollmentNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("sandbox:about", course_id=course_id)
    return redirect("sandbox:courseware", course_id=course_id)


@require_POST
def change_enrollment(request):
    """
    Like the LMS's ``change_enrollment`` (``common/djangoapps/student/views/management.py``) for
    ``enrollment_action=enroll``, the call the catalog MFE's Enroll button makes: 403 when signed
    out, 400 with the reason when the course is unknown, closed or the enrollment filter refuses,
    200 once enrolled. A plain Django view, so CSRF is checked as there (the MFEs send X-CSRFToken).
    """
    course_id = request.POST.get("course_id")
    if not course_id:
        return HttpResponseBadRequest(_("Course id not specified"))
    try:
        key = CourseKey.from_string(course_id)
    except InvalidKeyError:
        return HttpResponseBadRequest(_("Invalid course id"))
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    if request.POST.get("enrollment_action") != "enroll":
        return HttpResponseBadRequest(_("Enrollment action is invalid"))
    course = Course.objects.filter(id=key).first()
    if course is None:
        return HttpResponseBadRequest(_("Course id is invalid"))
    if not _can_enroll(request.user, course):
        return HttpResponseBadRequest(_("Enrollment is closed"))
    try:
        enrollment.enroll(request.user, course.id, check_access=True)
    except enrollment.EnrollmentNotAllowed as exc:
        return HttpResponseBadRequest(str(exc))
    return HttpResponse()


@login_required
def courseware(request, course_id):
    course = _course(course_id)
    if not enrollment.is_enrolled(request.user, course.id):
        return HttpResponseForbidden("You are not enrolled in this course.")
    return render(request, "sandbox/courseware.html", {"course": course})


@login_required
@require_POST
def staff_enroll(request, course_id):
    """Like the instructor dashboard's enrollment: staff enroll someone else by username or email."""
    course = _course(course_id)
    if not backend.can_manage_enrollments(request.user, course.id):
        return HttpResponseForbidden("You cannot manage enrollments in this course.")
    identifier = request.POST.get("identifier", "").strip()
    User = get_user_model()
    learner = User.objects.filter(username=identifier).first() or User.objects.filter(email=identifier).first()
    if learner is None:
        messages.error(request, f"No user {identifier}.")
    else:
        try:
            enrollment.enroll(learner, course.id)
            messages.success(request, f"{learner.username} enrolled.")
        except enrollment.EnrollmentNotAllowed as exc:
            messages.error(request, str(exc))
    return redirect("sandbox:about", course_id=course_id)


def register(request):
    """
    Like the platform's registration: create the account, sign in, then honour invitations.

    The platform auto-enrolls a newly registered person into every course a
    ``CourseEnrollmentAllowed`` row invites them to, inside their own request.
    """
    from django.contrib.auth import login
    from django.contrib.auth.forms import UserCreationForm

    from .platform.models import CourseEnrollmentAllowed

    class RegistrationForm(UserCreationForm):
        class Meta(UserCreationForm.Meta):
            fields = ("username", "email")

    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        for invitation in CourseEnrollmentAllowed.objects.filter(email=user.email, auto_enroll=True):
            try:
                enrollment.enroll(user, invitation.course_id)
            except enrollment.EnrollmentNotAllowed as exc:
                messages.error(request, str(exc))
        return redirect("sandbox:home")
    return render(request, "sandbox/register.html", {"form": form})
