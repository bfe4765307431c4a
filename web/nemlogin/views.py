"""NemLog-in (MitID Erhverv) for associations: djangosaml2's views, fitted to OIOSAML 3.0.

The SAML work — signing requests, checking signatures, lifetimes, audience, decrypting —
is pysaml2's, through djangosaml2; these subclasses add the requested level of assurance,
our refusals (accounts/nemlogin/checks.py, refusals.py), the association behind the CVR
number, and the screens after the sign-in: the association typed in when the CVR register
cannot help, its contact details, the association to act for.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as django_logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from djangosaml2 import views as saml_views
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.saml import AuthnContextClassRef
from saml2.samlp import RequestedAuthnContext
from saml2.sigver import security_context
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from accounts.nemlogin import acting, config, organisations
from accounts.nemlogin.attributes import LOA_CONTEXT, person_from
from accounts.nemlogin.checks import check_person, use_once
from accounts.nemlogin.refusals import NemLoginRefused, code_for, refuse
from cases import roles
from cases.models import Association
from cases.registers.cvr import CvrError
from cases.services.associations import association_update_details as association_update
from web.nemlogin.forms import ChooseForm, ContactForm, TypedAssociationForm

# The sign-in's facts the screens after it need (CVR, name, e-mail), until the association is
# settled; and that this session came from NemLog-in (so logging out goes through it too).
PENDING = "puljeflow_nemlogin_pending"
SIGNED_IN = "puljeflow_nemlogin"


def _require_enabled() -> None:
    if not config.enabled():
        raise Http404(_("Login with MitID Erhverv is not set up here."))


def _safe_next(request: HttpRequest, fallback: str | None = None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


class NemLoginLoginView(saml_views.LoginView):
    """Sends the person to NemLog-in with a signed AuthnRequest asking for the set level."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require_enabled()
        return super().get(request, *args, **kwargs)

    def load_sso_kwargs(self, sso_kwargs: dict[str, Any]) -> None:
        level = settings.PULJEFLOW_NEMLOGIN_LOA
        sso_kwargs["requested_authn_context"] = RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=f"{LOA_CONTEXT}{level}")],
            comparison="minimum",
        )


class NemLoginAcsView(saml_views.AssertionConsumerServiceView):
    """NemLog-in's answer: pysaml2 checks it, we check the rest, then the association."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require_enabled()
        return super().post(request, *args, **kwargs)

    def authenticate_user(
        self,
        request: HttpRequest,
        session_info: dict[str, Any],
        attribute_mapping: Any,
        create_unknown_user: Any,
        assertion_info: dict[str, Any],
    ) -> Any:
        check_person(person_from(session_info))
        use_once(assertion_info)
        try:
            user = super().authenticate_user(
                request, session_info, attribute_mapping, create_unknown_user, assertion_info
            )
        except NemLoginRefused:
            raise
        except PermissionDenied as error:
            raise NemLoginRefused("no_identity") from error
        request.session[SIGNED_IN] = True
        return user

    def handle_acs_failure(
        self,
        request: HttpRequest,
        exception: BaseException | None = None,
        status: int = 403,
        **kwargs: Any,
    ) -> HttpResponse:
        code = code_for(exception)
        refuse(request, code)
        if isinstance(exception, NemLoginRefused):
            message = exception.message
        else:
            message = NemLoginRefused(code, required=settings.PULJEFLOW_NEMLOGIN_LOA).message
        return render(
            request,
            "nemlogin/refused.html",
            {"message": message, "code": code},
            status=403,
        )

    def custom_redirect(self, user: Any, relay_state: str, session_info: dict[str, Any]) -> str:
        person = person_from(session_info)
        target = _safe_next_value(self.request, relay_state)
        try:
            association = organisations.link(user, person)
        except CvrError as error:
            self.request.session[PENDING] = {
                "cvr": person.cvr,
                "name": person.organisation_name,
                "contact_person": person.name,
                "email": person.email,
                "problem": str(error),
                "next": target,
            }
            return reverse("nemlogin:register")
        return _after_association(self.request, user, association, target)


def _safe_next_value(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


def _after_association(
    request: HttpRequest, user: Any, association: Association, target: str
) -> str:
    """Act for the association just vouched for; then its contact details if they are
    missing, then the choice if the person represents several."""
    roles.forget_profile(user)
    acting.choose(request.session, user, association.pk)
    if organisations.lacks_contact(association):
        return _with_next("nemlogin:contact", target)
    if len(roles.profile(user).all_represents) > 1:
        return _with_next("nemlogin:choose", target)
    return target


class NemLoginLogoutView(saml_views.LogoutInitView):
    """Logging out (POST, from the header) of a NemLog-in session: a signed LogoutRequest to
    NemLog-in, which answers at ``nemlogin:ls``. Without a NemLog-in identity in the
    session, an ordinary logout."""

    http_method_names = ["post"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The method first (a GET is 405 for anyone), then LoginRequiredMixin's sign-in.
        if request.method != "POST":
            return self.http_method_not_allowed(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not config.enabled() or saml_views._get_subject_id(request.saml_session) is None:  # type: ignore[attr-defined]
            django_logout(request)
            return redirect(settings.LOGOUT_REDIRECT_URL)
        response = super().get(request, *args, **kwargs)
        if response.status_code != 302:
            return response
        # The header's form posted here, and the Content-Security-Policy's form-action
        # ('self') forbids following a form's redirect to NemLog-in: a page that moves on
        # by itself (meta refresh, a navigation form-action does not govern) and a link.
        return render(request, "nemlogin/logging_out.html", {"url": response["Location"]})

    def handle_unsupported_slo_exception(
        self, request: HttpRequest, exception: BaseException, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        return redirect(settings.LOGOUT_REDIRECT_URL)


class NemLoginSingleLogoutView(saml_views.LogoutView):
    """NemLog-in's LogoutResponse (we asked) or LogoutRequest (another service asked)."""

    def do_logout_service(
        self, request: HttpRequest, data: Any, binding: str, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        _require_enabled()
        return super().do_logout_service(request, data, binding, *args, **kwargs)


class NemLoginMetadataView(saml_views.MetadataView):
    """The service provider's metadata, signed with its key (OIOSAML 3.0 wants it signed)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _require_enabled()
        conf = self.get_sp_config(request)
        descriptor = entity_descriptor(conf)
        _, signed = sign_entity_descriptor(
            descriptor, None, security_context(conf), SIG_RSA_SHA256, DIGEST_SHA256
        )
        return HttpResponse(str(signed).encode(), content_type="application/samlmetadata+xml")


# --- after the sign-in ---------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """The CVR register could not describe the association: type it in, or ask again."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect(settings.LOGIN_REDIRECT_URL)
    target = pending.get("next") or reverse(settings.LOGIN_REDIRECT_URL)
    if request.method == "POST" and "retry" in request.POST:
        result = organisations.retry_lookup(
            request.user,
            pending["cvr"],
            contact_person=pending.get("contact_person", ""),
            email=pending.get("email", ""),
        )
        if isinstance(result, CvrError):
            pending["problem"] = str(result)
            request.session[PENDING] = pending
            messages.error(request, str(result))
            return redirect("nemlogin:register")
        del request.session[PENDING]
        messages.success(request, _("%(name)s was found in the CVR register.") % {"name": result})
        return redirect(_after_association(request, request.user, result, target))
    form = TypedAssociationForm(
        request.POST or None,
        initial={
            "name": pending.get("name", ""),
            "contact_person": pending.get("contact_person", ""),
            "email": pending.get("email", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        association = organisations.register_typed(
            request.user, cvr=pending["cvr"], **form.cleaned_data
        )
        del request.session[PENDING]
        messages.success(request, _("%(name)s is registered.") % {"name": association})
        return redirect(_after_association(request, request.user, association, target))
    return render(
        request,
        "nemlogin/register.html",
        {"form": form, "cvr": pending["cvr"], "problem": pending.get("problem", "")},
        status=400 if form.errors else 200,
    )


def _acting_association(request: HttpRequest) -> Association:
    who = roles.profile(request.user)
    chosen = acting.acting_for(request.session)
    if chosen is None or chosen not in who.represents:
        raise Http404(_("No such association."))
    return Association.objects.get(pk=chosen)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    """The association's contact details, asked for before the home when they are missing."""
    association = _acting_association(request)
    form = ContactForm(request.POST or None, instance=association)
    if request.method == "POST" and form.is_valid():
        try:
            association_update(
                association=Association.objects.get(pk=association.pk),
                acting_user=request.user,
                data=form.cleaned_data,
            )
        except ValidationError as error:
            form.add_error(None, error)
    if request.method == "POST" and not form.errors:
        messages.success(request, _("The association's contact details have been saved."))
        target = _safe_next(request)
        if len(roles.profile(request.user).all_represents) > 1:
            return redirect(_with_next("nemlogin:choose", target))
        return redirect(target)
    return render(
        request,
        "nemlogin/contact.html",
        {"form": form, "association": association, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest) -> HttpResponse:
    """Which of the associations the person represents they act for in this session."""
    who = roles.profile(request.user)
    associations = Association.objects.filter(pk__in=who.all_represents).order_by("name")
    if not who.all_represents:
        raise Http404(_("You do not represent any association."))
    form = ChooseForm(
        request.POST or None,
        associations=associations,
        initial={"association": acting.acting_for(request.session)},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["association"]
        acting.choose(request.session, request.user, chosen.pk)
        messages.success(request, _("You now act for %(name)s.") % {"name": chosen})
        return HttpResponseRedirect(_safe_next(request))
    return render(
        request,
        "nemlogin/choose.html",
        {"form": form, "next": _safe_next(request)},
        status=400 if form.errors else 200,
    )
