"""The permission matrix: for every URL pattern of the project, who may do what, in which state.

Read it as a table. Each entry names a URL pattern, the objects it is tried on (its
*targets*: an application in each state, a meeting, a document ...), the HTTP methods
tried, and the expected outcome for every role on every target:

``allow``  the request got through: 2xx, or a 3xx that is not a redirect to the login page.
           For a write (POST) the form or the flow may still turn the input down: 400
           (invalid input, unmet condition) or 409 (not possible in this state). That is
           counted apart as "allow-but-refused" (``flow``): access was granted, the flow
           said no. An access refusal is never a 400/409.
``flow``   expected to be refused by the flow, not by access: 400 or 409 (e.g. the case
           officer asks to ``accept`` a case that is already granted).
``login``  a redirect to the login page (anonymous users).
``403``    visible but not allowed.
``404``    an object of another association or municipality: its existence does not leak.
``405``    the method is not accepted (a GET to a POST-only view, a POST to a download).

A URL pattern without an entry fails the suite (tests/security/test_matrix.py), as does
any outcome that differs from the table. The Django admin is the one group left out as a
whole; tests/security/test_admin.py covers it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

# --- outcomes --------------------------------------------------------------------------------

ALLOW, FLOW, LOGIN = "allow", "flow", "login"
FORBIDDEN, HIDDEN, NOT_ALLOWED = "403", "404", "405"
REFUSALS = frozenset({LOGIN, FORBIDDEN, HIDDEN, NOT_ALLOWED})

# --- roles -----------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
APPLICANT = "applicant"  # anna, association A
OTHER_APPLICANT = "other_applicant"  # bo, association B
CASE_OFFICER = "case_officer"  # carl, Roskilde
OTHER_CASE_OFFICER = "other_case_officer"  # helle, Næstved
COUNCIL_MEMBER = "council_member"  # mads, Roskilde's council, no ties
CONFLICTED_MEMBER = "conflicted_member"  # dorte, Roskilde's council, on A's board
COUNCIL_CHAIR = "council_chair"  # erik
COMMITTEE = "committee"  # frida, chair of Roskilde's committee
AUDITOR = "auditor"  # gustav
ADMIN = "admin"  # a superuser with no role in any municipality

ROLES = (
    ANONYMOUS,
    APPLICANT,
    OTHER_APPLICANT,
    CASE_OFFICER,
    OTHER_CASE_OFFICER,
    COUNCIL_MEMBER,
    CONFLICTED_MEMBER,
    COUNCIL_CHAIR,
    COMMITTEE,
    AUDITOR,
    ADMIN,
)
USERNAMES = {
    APPLICANT: "anna",
    OTHER_APPLICANT: "bo",
    CASE_OFFICER: "carl",
    OTHER_CASE_OFFICER: "helle",
    COUNCIL_MEMBER: "mads",
    CONFLICTED_MEMBER: "dorte",
    COUNCIL_CHAIR: "erik",
    COMMITTEE: "frida",
    AUDITOR: "gustav",
    ADMIN: "admin",
}
SIGNED_IN = frozenset(ROLES) - {ANONYMOUS}
# Roskilde's staff: they see every case, round and meeting of Roskilde.
STAFF = frozenset(
    {CASE_OFFICER, COUNCIL_MEMBER, CONFLICTED_MEMBER, COUNCIL_CHAIR, COMMITTEE, AUDITOR}
)
COUNCIL = frozenset({COUNCIL_MEMBER, CONFLICTED_MEMBER, COUNCIL_CHAIR})
BODIES = COUNCIL | {COMMITTEE}  # who declares conflicts of interest

# --- who may take which transition, from which states (an independent restatement of
# workflows/application.py: a new transition fails the suite until it is added here) --------

# A case in hearing before a decision, too (heard on its usage report it is decided: the
# withdrawal's condition refuses it, tests/workflows/test_transition_permissions.py).
BEFORE_DECISION = {
    "draft",
    "submitted",
    "info_requested",
    "in_council_review",
    "recommended",
    "in_hearing",
}
TRANSITIONS: dict[str, tuple[frozenset[str], set[str]]] = {
    "submit": (frozenset({APPLICANT}), {"draft"}),
    "withdraw": (frozenset({APPLICANT}), BEFORE_DECISION),
    "provide_info": (frozenset({APPLICANT}), {"info_requested"}),
    "request_info": (frozenset({CASE_OFFICER}), {"submitted"}),
    "accept": (frozenset({CASE_OFFICER}), {"submitted"}),
    "reject": (frozenset({CASE_OFFICER}), {"submitted"}),
    # Only in a quick pool (akutpulje); Roskilde's round is decided by the committee.
    "decide_directly": (frozenset(), {"submitted"}),
    "recommend": (frozenset({COUNCIL_CHAIR}), {"in_council_review"}),
    "decide": (frozenset({COMMITTEE}), {"recommended"}),
    "send_back": (frozenset({COMMITTEE}), {"recommended"}),
    "pay": (frozenset({CASE_OFFICER}), {"granted", "paid"}),
    "submit_report": (frozenset({APPLICANT}), {"paid"}),
    "return_report": (frozenset({CASE_OFFICER}), {"report_submitted"}),
    "approve_report": (frozenset({CASE_OFFICER}), {"report_submitted"}),
    "register_repayment": (frozenset({CASE_OFFICER}), {"closed"}),
    # The hearing (workflows/hearing.py); no case of the scene is in a hearing.
    "start_hearing": (
        frozenset({CASE_OFFICER}),
        {"submitted", "in_council_review", "recommended", "report_submitted"},
    ),
    "answer_hearing": (frozenset({APPLICANT}), {"in_hearing"}),
    "end_hearing": (frozenset({CASE_OFFICER}), {"in_hearing"}),
}

Expect = Callable[[str, str, str], str]  # (role, target label, method) -> outcome


# --- building blocks -------------------------------------------------------------------------


def roles(
    allow: Iterable[str] = (),
    forbid: Iterable[str] = (),
    *,
    rest: str = HIDDEN,
    anonymous: str = LOGIN,
) -> Expect:
    """``allow`` get in, ``forbid`` get 403, every other signed-in role gets ``rest``."""
    allowed, forbidden = frozenset(allow), frozenset(forbid)
    assert not allowed & forbidden

    def expect(role: str, target: str, method: str) -> str:
        if role == ANONYMOUS:
            return anonymous
        if role in allowed:
            return ALLOW
        if role in forbidden:
            return FORBIDDEN
        return rest

    return expect


SIGNED_IN_ONLY = roles(SIGNED_IN)
PUBLIC = roles(SIGNED_IN, anonymous=ALLOW)


def per_target(**table: Expect) -> Expect:
    """A different rule for each target label."""

    def expect(role: str, target: str, method: str) -> str:
        return table[target](role, target, method)

    return expect


def post_only(rule: Expect) -> Expect:
    """``@login_required @require_POST``: anonymous to login, any other method 405."""

    def expect(role: str, target: str, method: str) -> str:
        if method != "POST":
            return LOGIN if role == ANONYMOUS else NOT_ALLOWED
        return rule(role, target, method)

    return expect


def get_only(rule: Expect) -> Expect:
    """``@login_required @require_safe``: anonymous to login, a write 405."""

    def expect(role: str, target: str, method: str) -> str:
        if method not in ("GET", "HEAD"):
            return LOGIN if role == ANONYMOUS else NOT_ALLOWED
        return rule(role, target, method)

    return expect


def association_readers(representative: str) -> Expect:
    """Issue 18 (CVR): an association's details page. Its representative reads and edits;
    case officers (anywhere) and the auditor read, a change by them is 403; others 404."""

    def expect(role: str, target: str, method: str) -> str:
        if role == ANONYMOUS:
            return LOGIN
        if role == representative:
            return ALLOW
        if role in {CASE_OFFICER, OTHER_CASE_OFFICER, AUDITOR}:
            return ALLOW if method in ("GET", "HEAD") else FORBIDDEN
        return HIDDEN

    return expect


# --- application-level rules (target label = the application's state) ------------------------


def _as_seen_from(role: str, state: str) -> str:
    """Association B's case in Næstved: bo is its applicant and helle its case officer;
    Roskilde's staff and association A are the outsiders there."""
    if state != "other_municipality":
        return role
    return {OTHER_APPLICANT: APPLICANT, OTHER_CASE_OFFICER: CASE_OFFICER}.get(role, ADMIN)


def _viewers(role: str, state: str) -> bool:
    return _as_seen_from(role, state) in {APPLICANT} | STAFF


def case_viewers(role: str, state: str, method: str) -> str:
    """The association and the municipality's staff see the case; anyone else gets 404."""
    if role == ANONYMOUS:
        return LOGIN
    return ALLOW if _viewers(role, state) else HIDDEN


def case_staff(role: str, state: str, method: str) -> str:
    """The full trail and the case file: the municipality's staff; the association 403."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    return FORBIDDEN if _as_seen_from(role, state) == APPLICANT else ALLOW


def draft_editors(role: str, state: str, method: str) -> str:
    """Only a draft is changed, and only by its association; the rest who see it 403."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    return ALLOW if _as_seen_from(role, state) == APPLICANT and state == "draft" else FORBIDDEN


def report_writers(role: str, state: str, method: str) -> str:
    """The usage report: sent by the association once the grant is paid; other viewers 403."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    return ALLOW if _as_seen_from(role, state) == APPLICANT and state == "paid" else FORBIDDEN


def hearing_answerers(role: str, state: str, method: str) -> str:
    """No case of the scene is in a hearing: whoever sees the case is sent to it (GET); the
    association's answer is told the hearing has ended (409, its text kept); staff 403."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if method == "GET":
        return ALLOW
    return ALLOW if _as_seen_from(role, state) == APPLICANT else FORBIDDEN


def report_approvers(role: str, state: str, method: str) -> str:
    """The case officer approves a report under review; without one the page is 404
    (there is nothing to approve); other viewers 403."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if _as_seen_from(role, state) != CASE_OFFICER:
        return FORBIDDEN
    return ALLOW if state == "report_submitted" else HIDDEN


def conflict_declarers(role: str, state: str, method: str) -> str:
    """Those who act on a case declare a tie: the case officer, members of the council or
    the committee (issue 16); other viewers 403."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    return ALLOW if _as_seen_from(role, state) in BODIES | {CASE_OFFICER} else FORBIDDEN


def conflict_readers(role: str, state: str, method: str) -> str:
    """The declared ties on a case: the municipality's staff read them; the applicant 403."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    return ALLOW if _as_seen_from(role, state) in STAFF else FORBIDDEN


def act(role: str, target: str, method: str) -> str:
    """``application_act``: target is "<state>:<transition>".

    GET draws the action's form for anyone who sees the case (it changes nothing; the
    transition decides on POST). POST: 404 for outsiders; 403 when the role may never
    take the action; 409 (``flow``) when it may, but not in this state; else allowed."""
    state, name = target.split(":")
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if method == "GET":
        return ALLOW
    who, sources = TRANSITIONS[name]
    if _as_seen_from(role, state) not in who:
        return FORBIDDEN
    status = "submitted" if state == "other_municipality" else state
    return ALLOW if status in sources else FLOW


# The usage report and its approval have their own pages: on the screens, /act/<name>/ for
# these only redirects there (any method, anyone who sees the case; nothing is done), and
# report_submit / report_approve carry the rules (see their entries below).
DEDICATED_PAGES = frozenset({"submit_report", "approve_report", "answer_hearing"})


def screen_act(role: str, target: str, method: str) -> str:
    """``application_act`` on the screens: ``act``, but the dedicated pages redirect."""
    state, name = target.split(":")
    if name in DEDICATED_PAGES and role != ANONYMOUS and _viewers(role, state):
        return ALLOW
    return act(role, target, method)


def assess_item(role: str, target: str, method: str) -> str:
    """A council member records an assessment: target is "<meeting>:<state>".

    404 outside the municipality and for a committee meeting (it has no assessments);
    403 for staff who are not on the council; 404 for a case not on the agenda; 403 for
    a member conflicted on the case (dorte is on A's board)."""
    meeting, state = target.split(":")
    if role == ANONYMOUS:
        return LOGIN
    if role not in STAFF or meeting != "council":
        return HIDDEN
    if role not in COUNCIL:
        return FORBIDDEN
    if state in ("draft", "submitted"):  # never on the council's agenda
        return HIDDEN
    return FORBIDDEN if role == CONFLICTED_MEMBER else ALLOW


# --- file notes and documents received (issue 16) -------------------------------------------

NOTE_WRITERS = frozenset({CASE_OFFICER, COUNCIL_CHAIR, COMMITTEE})


def note_writers(role: str, state: str, method: str) -> str:
    """File notes: the case officer and the chairs; other viewers (the association, a
    member, the auditor) 403; outsiders 404."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if state == "draft":  # the case and its file begin with the submission
        return FORBIDDEN
    return ALLOW if _as_seen_from(role, state) in NOTE_WRITERS else FORBIDDEN


def document_registrars(role: str, state: str, method: str) -> str:
    """A document received by post or e-mail is registered by the case officer only."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if state == "draft":
        return FORBIDDEN
    return ALLOW if _as_seen_from(role, state) == CASE_OFFICER else FORBIDDEN


def _staff_only_document(role: str, target: str, method: str) -> str:
    # Registered from the post: the municipality's staff; the association does not see it.
    if role == ANONYMOUS:
        return LOGIN
    return ALLOW if role in STAFF else HIDDEN


RECEIVED_DOCUMENT = per_target(
    answer=lambda role, target, method: case_viewers(role, "submitted", method),
    post=_staff_only_document,
    other_municipality=lambda role, target, method: case_viewers(
        role, "other_municipality", method
    ),
)


# --- messages on the case (issue 17) -------------------------------------------------------


def message_writers(role: str, state: str, method: str) -> str:
    """The thread: every viewer reads it; the association and the case officer write, from
    the submission until the case is finished; the other viewers 403; outsiders 404."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if method == "GET":
        return ALLOW
    if state in ("draft", "closed"):
        return FORBIDDEN
    return ALLOW if _as_seen_from(role, state) in {APPLICANT, CASE_OFFICER} else FORBIDDEN


# --- the matrix ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    targets: str  # a key of runner.targets(): what the URL is tried on
    expect: Expect
    methods: tuple[str, ...] = ("GET", "POST")
    # Where a GET cannot differ between targets (the action's form page is the same for
    # every action on a case), fewer targets for GET keep the run short.
    get_targets: str | None = None


OWN_ROUND_STAFF = per_target(own=roles(STAFF), other_municipality=roles({OTHER_CASE_OFFICER}))
OWN_ROUND_CASE_OFFICER = per_target(
    own=roles({CASE_OFFICER}, STAFF - {CASE_OFFICER}),
    other_municipality=roles({OTHER_CASE_OFFICER}),
)
MEETING_STAFF = per_target(
    council=roles(STAFF),
    committee=roles(STAFF),
    other_municipality=roles({OTHER_CASE_OFFICER}),
)
MEETING_CASE_OFFICER = per_target(
    council=roles({CASE_OFFICER}, STAFF - {CASE_OFFICER}),
    committee=roles({CASE_OFFICER}, STAFF - {CASE_OFFICER}),
    other_municipality=roles({OTHER_CASE_OFFICER}),
)
# dorte's declaration (a council member): only the council's chair rules on it. dorte
# cannot rule on her own; frida chairs the committee, not the council (the body rules on
# its own members); anna sees the case, not the ruling.
RULING = roles(
    {COUNCIL_CHAIR},
    {APPLICANT, CASE_OFFICER, COUNCIL_MEMBER, CONFLICTED_MEMBER, COMMITTEE, AUDITOR},
)
COUNCIL_ONLY_404 = roles()  # a committee meeting "does not exist" for the council's screens

MATRIX: dict[str, Entry] = {
    # --- everyone --------------------------------------------------------------------------
    "home:home": Entry("none", roles(SIGNED_IN)),
    "accounts:login": Entry("none", PUBLIC),
    # Django's LogoutView takes POST only (405 for a GET, signed in or not); it ends on
    # the login page, which here is its success.
    "accounts:logout": Entry(
        "none",
        lambda role, target, method: ALLOW if method == "POST" else NOT_ALLOWED,
    ),
    # The checkpoints' public key (cases/trail/keys.py): for anyone, to read only.
    "audit:trail_public_key": Entry(
        "none", lambda role, target, method: ALLOW if method == "GET" else NOT_ALLOWED
    ),
    # The privacy notice (web/privacy): for anyone, signed in or not, to read only.
    "privacy:privacy_notice": Entry(
        "none", lambda role, target, method: ALLOW if method == "GET" else NOT_ALLOWED
    ),
    "privacy:accessibility_statement": Entry(
        "none", lambda role, target, method: ALLOW if method == "GET" else NOT_ALLOWED
    ),
    "accounts:otp_setup": Entry("none", SIGNED_IN_ONLY),
    "accounts:otp_verify": Entry("none", SIGNED_IN_ONLY),
    # "Stay logged in" (issue 17): POST only, for GET 405 signed in or not; an ended or
    # absent session gets 401 with a sentence for the page (counted as "login").
    "accounts:session_stay": Entry(
        "none",
        lambda role, target, method: (
            (LOGIN if role == ANONYMOUS else ALLOW) if method == "POST" else NOT_ALLOWED
        ),
    ),
    "applications:flow_chart": Entry("none", SIGNED_IN_ONLY),
    "applications:my_applications": Entry("none", SIGNED_IN_ONLY),
    "notifications:notification_list": Entry("none", SIGNED_IN_ONLY),
    "notifications:notification_preferences": Entry("none", SIGNED_IN_ONLY),
    "notifications:notification_mark_all_read": Entry("none", post_only(SIGNED_IN_ONLY)),
    "notifications:notification_detail": Entry("notification", roles({APPLICANT})),
    "notifications:notification_mark_read": Entry("notification", post_only(roles({APPLICANT}))),
    "notifications:notification_outbox": Entry(
        "outbox",
        per_target(
            any=roles({CASE_OFFICER, AUDITOR, OTHER_CASE_OFFICER}, rest=FORBIDDEN),
            own=roles({CASE_OFFICER, AUDITOR}, STAFF - {CASE_OFFICER, AUDITOR}),
        ),
    ),
    # --- applicants ------------------------------------------------------------------------
    "applications:application_new": Entry(
        "none", roles({APPLICANT, OTHER_APPLICANT}, rest=FORBIDDEN)
    ),
    # Issue 18 (CVR): the association's details; case officers and the auditor read them,
    # the case officer fetches them again from the CVR register, its representatives edit.
    "associations:association_details": Entry(
        "association",
        per_target(a=association_readers(APPLICANT), b=association_readers(OTHER_APPLICANT)),
    ),
    "associations:association_refresh": Entry(
        "association",
        post_only(
            per_target(
                a=roles({APPLICANT, CASE_OFFICER, OTHER_CASE_OFFICER}, {AUDITOR}),
                b=roles({OTHER_APPLICANT, CASE_OFFICER, OTHER_CASE_OFFICER}, {AUDITOR}),
            )
        ),
    ),
    # --- one case --------------------------------------------------------------------------
    "applications:application_detail": Entry("application", case_viewers),
    "applications:application_edit": Entry("application", draft_editors),
    "applications:attachment_upload": Entry("application", post_only(draft_editors)),
    # Issue 17 (draft): the guided application's steps, autosave, review; the receipt.
    "applications:draft_step": Entry("application_step", draft_editors),
    "applications:draft_autosave": Entry("application_step", post_only(draft_editors)),
    "applications:draft_review": Entry("application", draft_editors),
    "applications:application_receipt": Entry("application", get_only(case_viewers)),
    "applications:application_receipt_pdf": Entry("application", get_only(case_viewers)),
    "applications:attachment_download": Entry("attachment", case_viewers),
    "applications:attachment_delete": Entry("attachment", post_only(draft_editors)),
    "applications:application_act": Entry("act", screen_act, get_targets="act_get"),
    "audit:application_trail": Entry("application", case_staff),
    "audit:application_export": Entry("application", case_staff),
    "audit:document_download": Entry("document", get_only(case_viewers)),
    "council:conflict_declare": Entry("application", conflict_declarers),
    "council:conflict_rule": Entry("declaration", RULING),
    "notes:note_create": Entry("application", note_writers),
    "notes:document_register": Entry("application", document_registrars),
    "notes:received_document_download": Entry("received_document", get_only(RECEIVED_DOCUMENT)),
    "case_messages:message_send": Entry("application", message_writers),
    # The managers' list of the case officers' ties: nobody in the cast is a manager.
    "council:manager_conflicts": Entry("none", roles((), rest=FORBIDDEN)),
    # --- the municipality's staff ----------------------------------------------------------
    "inbox:staff_rounds": Entry("none", roles(STAFF | {OTHER_CASE_OFFICER}, rest=FORBIDDEN)),
    "associations:association_new": Entry(
        "none", roles({CASE_OFFICER, OTHER_CASE_OFFICER}, rest=FORBIDDEN)
    ),
    "inbox:round_inbox": Entry("round", OWN_ROUND_STAFF),
    "audit:round_decisions": Entry("round", OWN_ROUND_STAFF),
    # The export is ordered (POST) and listed (GET) by the round's staff; its file is for the
    # one who ordered it alone (404 to everyone else, staff of the round too).
    "audit:round_export": Entry("round", OWN_ROUND_STAFF),
    "audit:round_export_file": Entry(
        "round_export",
        get_only(per_target(carls=roles({CASE_OFFICER}), helles=roles({OTHER_CASE_OFFICER}))),
    ),
    "meetings:meeting_list": Entry("round", OWN_ROUND_STAFF),
    "inbox:paper_application_new": Entry("round", OWN_ROUND_CASE_OFFICER),
    "meetings:meeting_new": Entry("round", OWN_ROUND_CASE_OFFICER),
    # --- meetings --------------------------------------------------------------------------
    "meetings:meeting_detail": Entry("meeting", MEETING_STAFF),
    "meetings:meeting_agenda": Entry("meeting", MEETING_STAFF),
    "meetings:meeting_agenda_pdf": Entry("meeting", MEETING_STAFF),
    "meetings:meeting_minutes": Entry("meeting", MEETING_STAFF),
    "meetings:meeting_minutes_pdf": Entry("meeting", MEETING_STAFF),
    "meetings:meeting_edit": Entry("meeting", MEETING_CASE_OFFICER),
    "meetings:meeting_agenda_add": Entry("meeting", post_only(MEETING_CASE_OFFICER)),
    "meetings:meeting_agenda_add_ready": Entry("meeting", post_only(MEETING_CASE_OFFICER)),
    "council:meeting_assess": Entry(
        "meeting",
        per_target(
            council=roles(COUNCIL, STAFF - COUNCIL),
            committee=COUNCIL_ONLY_404,
            other_municipality=COUNCIL_ONLY_404,
        ),
    ),
    "council:meeting_assess_item": Entry("meeting_application", post_only(assess_item)),
    "council:meeting_assessments": Entry(
        "meeting",
        per_target(
            council=roles(
                {COUNCIL_CHAIR, CASE_OFFICER, AUDITOR},
                {COUNCIL_MEMBER, CONFLICTED_MEMBER, COMMITTEE},
            ),
            committee=COUNCIL_ONLY_404,
            other_municipality=COUNCIL_ONLY_404,
        ),
    ),
    "bulk:meeting_bulk": Entry(
        "meeting",
        per_target(
            council=roles({COUNCIL_CHAIR}, STAFF - {COUNCIL_CHAIR}),
            committee=roles({COMMITTEE}, STAFF - {COMMITTEE}),
            # helle is staff in Næstved but not its committee's chair (ivan is).
            other_municipality=roles((), {OTHER_CASE_OFFICER}),
        ),
    ),
}

# --- the API (/api/v1/) ---------------------------------------------------------------------
# The matrix calls the API as the browser does: signed in by session (the clients of the
# screens). Without credentials the API answers 401 (``WWW-Authenticate: Token``), which
# counts as ``login`` here. DRF checks authentication before the method, so anonymous
# gets 401 for any method, and a signed-in user 405 for a method the view does not have
# (before the object is looked up: a 405 does not tell whether the object exists).


def api(rule: Expect, methods: Iterable[str] = ("GET",)) -> Expect:
    """``rule`` for the view's ``methods``; any other method: 401 anonymous, else 405."""
    accepted = frozenset(methods)

    def expect(role: str, target: str, method: str) -> str:
        if method not in accepted:
            return LOGIN if role == ANONYMOUS else NOT_ALLOWED
        return rule(role, target, method)

    return expect


def api_open(methods: Iterable[str] = ("GET",)) -> Expect:
    """No authentication needed (the docs, the schema, getting a token)."""
    accepted = frozenset(methods)

    def expect(role: str, target: str, method: str) -> str:
        return ALLOW if method in accepted else NOT_ALLOWED

    return expect


def api_assessment(role: str, state: str, method: str) -> str:
    """POST /applications/<pk>/assessments: like the screen, but the meeting is in the body:
    404 outsiders, 403 non-council viewers; a case not on that council meeting's agenda is
    a 400 on the ``meeting`` field; then 403 for the conflicted member."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if state == "other_municipality" or role not in COUNCIL:
        return FORBIDDEN
    if state in ("draft", "submitted"):
        return FLOW
    return FORBIDDEN if role == CONFLICTED_MEMBER else ALLOW


def api_meeting_create(role: str, target: str, method: str) -> str:
    """POST /meetings with Roskilde's round: carl creates it; other Roskilde staff 403;
    helle gets "no such round" (400: Roskilde's round does not exist for her); non-staff 403."""
    if role == ANONYMOUS:
        return LOGIN
    if role == CASE_OFFICER:
        return ALLOW
    if role == OTHER_CASE_OFFICER:
        return FLOW
    return FORBIDDEN


API_MATRIX: dict[str, Entry] = {
    "api:api_token": Entry("none", api_open(("POST",))),
    "api:api_me": Entry("none", api(roles(SIGNED_IN))),
    "api:api_rounds": Entry("none", api(roles(SIGNED_IN))),
    # Rounds open for applications are visible to every signed-in user (both are open).
    "api:api_round": Entry("round", api(roles(SIGNED_IN))),
    "api:api_associations": Entry("none", api(roles(SIGNED_IN))),
    "api:api_applications": Entry(
        "none",
        per_target(
            **{
                "-": lambda role, target, method: (
                    api(roles(SIGNED_IN))(role, target, method)
                    if method == "GET"
                    else roles(
                        {APPLICANT, OTHER_APPLICANT, CASE_OFFICER, OTHER_CASE_OFFICER},
                        rest=FORBIDDEN,
                    )(role, target, method)
                )
            }
        ),
    ),
    "api:api_application": Entry(
        "application",
        lambda role, state, method: (
            draft_editors(role, state, method)
            if method == "PATCH"
            else api(case_viewers)(role, state, method)
        ),
        methods=("GET", "POST", "PATCH"),
    ),
    "api:api_attachments": Entry(
        "application",
        lambda role, state, method: (
            draft_editors(role, state, method)
            if method == "POST"
            else case_viewers(role, state, method)
        ),
    ),
    "api:api_transitions": Entry("application", api(case_viewers)),
    "api:api_transition": Entry("act", api(act, ("POST",)), methods=("POST",)),
    # The applicant reads the case's transition records here, as on the case page's timeline.
    "api:api_trail": Entry("application", api(case_viewers)),
    "api:api_conflicts": Entry(
        "application",
        api(
            lambda role, target, method: (
                conflict_readers if method == "GET" else conflict_declarers
            )(role, target, method),
            ("GET", "POST"),
        ),
    ),
    "api:api_conflict_ruling": Entry("declaration", api(RULING, ("POST",))),
    "api:api_assessments": Entry("application", api(api_assessment, ("POST",))),
    # Everyone signed in may list meetings (non-staff get an empty list).
    "api:api_meetings": Entry(
        "none",
        lambda role, target, method: (
            api(roles(SIGNED_IN))(role, target, method)
            if method == "GET"
            else api_meeting_create(role, target, method)
        ),
    ),
    "api:api_meeting": Entry("meeting", api(MEETING_STAFF)),
    "api:api_meeting_minutes": Entry("meeting", api(MEETING_STAFF)),
    "api:api_meeting_items": Entry("meeting", api(MEETING_CASE_OFFICER, ("POST",))),
    # Notes are never changed nor deleted: no PATCH, PUT or DELETE.
    "api:api_notes": Entry(
        "application",
        lambda role, state, method: (
            api(note_writers, ("POST",))(role, state, method)
            if method == "POST"
            else api(case_viewers)(role, state, method)
        ),
        methods=("GET", "POST", "PATCH", "DELETE"),
    ),
    # Messages are never changed nor deleted: no PATCH, PUT or DELETE.
    "api:api_messages": Entry(
        "application",
        api(message_writers, ("GET", "POST")),
        methods=("GET", "POST", "PATCH", "DELETE"),
    ),
    "api:api_received_documents": Entry(
        "application",
        lambda role, state, method: (
            api(document_registrars, ("POST",))(role, state, method)
            if method == "POST"
            else api(case_viewers)(role, state, method)
        ),
        methods=("GET", "POST", "DELETE"),
    ),
    "api:api_received_document_file": Entry(
        "received_document", api(RECEIVED_DOCUMENT), methods=("GET", "POST", "DELETE")
    ),
    "api:api_schema": Entry("none", api_open()),
    "api:api_docs": Entry("none", api_open()),
    # Anything else under /api/v1/: a JSON 404, whoever asks.
    "api:api_not_found": Entry("none", roles((), rest=HIDDEN, anonymous=HIDDEN)),
}
MATRIX.update(API_MATRIX)

# --- reports on a round and a municipality (GET only) ------------------------------------------
MATRIX.update(
    {
        "reports:round_report": Entry("round", get_only(OWN_ROUND_STAFF)),
        "reports:round_report_csv": Entry("round", get_only(OWN_ROUND_STAFF)),
        "reports:municipality_report": Entry(
            "none", get_only(roles(STAFF | {OTHER_CASE_OFFICER}, rest=FORBIDDEN))
        ),
    }
)

# --- after the grant: usage reports -----------------------------------------------------------
MATRIX.update(
    {
        "after_grant:report_submit": Entry("application", report_writers),
        "after_grant:report_approve": Entry("application", report_approvers),
        "after_grant:report_attachment_download": Entry(
            "report_attachment", get_only(case_viewers)
        ),
        # Who may answer an open hearing: tests/cases/test_hearing_screens.py.
        "hearings:hearing_answer": Entry("application", hearing_answerers),
        "hearings:hearing_attachment_download": Entry("hearing_attachment", get_only(case_viewers)),
        "after_grant:usage_reports": Entry(
            "none", get_only(roles(STAFF | {OTHER_CASE_OFFICER}, rest=FORBIDDEN))
        ),
    }
)

# --- issue 17: staff screens ------------------------------------------------------------------


def assigners(role: str, state: str, method: str) -> str:
    """A case is assigned by a case officer of its municipality, once it is a case (not a
    draft); other viewers 403, outsiders 404."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if state == "draft":
        return FORBIDDEN
    return ALLOW if _as_seen_from(role, state) == CASE_OFFICER else FORBIDDEN


MATRIX.update(
    {
        "inbox:case_search": Entry("none", roles(STAFF | {OTHER_CASE_OFFICER}, rest=FORBIDDEN)),
        "inbox:bulk_assign": Entry(
            "none", post_only(roles({CASE_OFFICER, OTHER_CASE_OFFICER}, rest=FORBIDDEN))
        ),
        "inbox:application_assign": Entry("application", post_only(assigners)),
        # Case officers and managers create rounds (nobody in the cast is a manager).
        "rounds:round_new": Entry(
            "none", roles({CASE_OFFICER, OTHER_CASE_OFFICER}, rest=FORBIDDEN)
        ),
        "rounds:round_edit": Entry("round", OWN_ROUND_CASE_OFFICER),
        "rounds:complaint_guidance": Entry(
            "none", roles({CASE_OFFICER, OTHER_CASE_OFFICER}, rest=FORBIDDEN)
        ),
        "after_grant:payouts": Entry(
            "none", get_only(roles(STAFF | {OTHER_CASE_OFFICER}, rest=FORBIDDEN))
        ),
        "api:api_application_assign": Entry(
            "application", api(assigners, ("POST",)), methods=("GET", "POST")
        ),
        # Issue 18 (CVR): a lookup in the CVR register, for case officers.
        "api:api_cvr": Entry("cvr", api(roles({CASE_OFFICER, OTHER_CASE_OFFICER}, rest=FORBIDDEN))),
    }
)

# --- issue 18: hand-overs to the journal and the finance system --------------------------------


def journalisers(role: str, state: str, method: str) -> str:
    """»Journaliser nu«: the case officers (and managers) of the case's municipality, once it
    is a case; other viewers 403, outsiders 404."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if state == "draft":
        return FORBIDDEN
    return ALLOW if _as_seen_from(role, state) == CASE_OFFICER else FORBIDDEN


def run_readers(role: str, target: str, method: str) -> str:
    """A payment run: its municipality's case officers, managers and auditors read it; the
    rest of its staff 403; anyone else 404."""
    if role == ANONYMOUS:
        return LOGIN
    seen_as = _as_seen_from(role, target)
    if seen_as in (CASE_OFFICER, AUDITOR):
        return ALLOW
    return FORBIDDEN if seen_as in STAFF else HIDDEN


MATRIX.update(
    {
        "handover:journal_now": Entry("application", post_only(journalisers)),
        "handover:payment_run_new": Entry(
            "none", roles({CASE_OFFICER, OTHER_CASE_OFFICER}, rest=FORBIDDEN)
        ),
        "handover:payment_run_detail": Entry("payment_run", get_only(run_readers)),
        "handover:payment_run_file": Entry("payment_run", get_only(run_readers)),
        "handover:payment_run_csv": Entry("payment_run", get_only(run_readers)),
        "api:api_payment_runs": Entry(
            "none",
            lambda role, target, method: api(
                roles(
                    {CASE_OFFICER, OTHER_CASE_OFFICER}
                    if method == "POST"
                    else {CASE_OFFICER, OTHER_CASE_OFFICER, AUDITOR},
                    rest=FORBIDDEN,
                ),
                ("GET", "POST"),
            )(role, target, method),
            methods=("GET", "POST"),
        ),
        "api:api_payment_run": Entry("payment_run", api(run_readers)),
        "api:api_payment_run_file": Entry("payment_run", api(run_readers)),
        "api:api_application_journal": Entry(
            "application", api(journalisers, ("POST",)), methods=("GET", "POST")
        ),
    }
)

# --- issue 18: NemLog-in (MitID Erhverv, SAML) -------------------------------------------------
# The matrix runs with NemLog-in off (the embedded default): its SAML endpoints are 404 for
# everyone (tests/nemlogin tries them with it on, against a real local IdP). Logging out
# is POST only and works without it (an ordinary logout). After a sign-in: the association
# typed in (nothing pending: back to the home), its contact details (no association chosen
# in the session: 404), and the choice of association (for those who represent one).
SAML_OFF = roles((), rest=HIDDEN, anonymous=HIDDEN)


def _saml_off(allowed: tuple[str, ...]) -> Expect:
    def expect(role: str, target: str, method: str) -> str:
        return HIDDEN if method in allowed else NOT_ALLOWED

    return expect


MATRIX.update(
    {
        "nemlogin:login": Entry("none", _saml_off(("GET",))),
        "nemlogin:acs": Entry("none", _saml_off(("POST",))),
        "nemlogin:ls": Entry("none", _saml_off(("GET", "POST"))),
        "nemlogin:metadata": Entry("none", _saml_off(("GET",))),
        "nemlogin:logout": Entry(
            "none", lambda role, target, method: ALLOW if method == "POST" else NOT_ALLOWED
        ),
        "nemlogin:register": Entry("none", SIGNED_IN_ONLY),
        "nemlogin:contact": Entry("none", roles(())),
        "nemlogin:choose": Entry("none", roles({APPLICANT, OTHER_APPLICANT})),
    }
)

# --- known deviations: real findings, reported to the lead, not yet fixed ----------------------
# Each is (pattern name, method, expected, got, predicate on (role, target)) and a reason.
# A deviation listed here that no longer occurs fails the suite (strict), so the entry is
# removed when the view is fixed.


@dataclass(frozen=True)
class Deviation:
    name: str
    method: str
    expected: str
    got: str
    applies: Callable[[str, str], bool]
    reason: str


KNOWN_DEVIATIONS: tuple[Deviation, ...] = ()


def known_deviation(name: str, method: str, role: str, target: str, expected: str, got: str) -> str:
    for d in KNOWN_DEVIATIONS:
        if (d.name, d.method, d.expected, d.got) == (name, method, expected, got) and d.applies(
            role, target
        ):
            return d.reason
    return ""


# Left out on purpose: the language switch (a cookie/session preference, no data) and
# Django's static and media serving; the admin is covered by test_admin.py.
EXCLUDED = frozenset({"set_language"})
# Patterns whose success ends on the login page (so a redirect there is not a refusal).
LOGIN_IS_SUCCESS = frozenset({"accounts:logout", "nemlogin:logout"})

# --- requests for access to documents (aktindsigt) --------------------------------------------
# Case officers register and handle them; auditors read; other staff 403; a request of
# another municipality is a 404. The scene's requests are decided and handed out, so a
# write reaches the service and is refused there (409: counted as allowed access).
ACCESS_READERS = {CASE_OFFICER, AUDITOR}
ACCESS_READ = per_target(
    own=roles(ACCESS_READERS, STAFF - ACCESS_READERS),
    other_municipality=roles({OTHER_CASE_OFFICER}),
)
ACCESS_WRITE = per_target(
    own=roles({CASE_OFFICER}, STAFF - {CASE_OFFICER}),
    other_municipality=roles({OTHER_CASE_OFFICER}),
)
ACCESS_LIST = roles(ACCESS_READERS | {OTHER_CASE_OFFICER}, rest=FORBIDDEN)
ACCESS_REGISTER = roles({CASE_OFFICER, OTHER_CASE_OFFICER}, rest=FORBIDDEN)
MATRIX.update(
    {
        "access:access_request_list": Entry("none", get_only(ACCESS_LIST)),
        "access:access_request_new": Entry("none", ACCESS_REGISTER),
        "access:access_request_detail": Entry("access_request", get_only(ACCESS_READ)),
        "access:access_request_extend": Entry("access_request", post_only(ACCESS_WRITE)),
        "access:access_request_decide": Entry("access_request", post_only(ACCESS_WRITE)),
        "access:access_request_hand_out": Entry("access_request", post_only(ACCESS_WRITE)),
        "access:access_request_export": Entry("access_request", get_only(ACCESS_READ)),
        "api:api_access_requests": Entry(
            "none",
            lambda role, target, method: (
                api(ACCESS_LIST)(role, target, method)
                if method == "GET"
                else api(ACCESS_REGISTER, ("POST",))(role, target, method)
            ),
        ),
        "api:api_access_request": Entry("access_request", api(ACCESS_READ)),
        "api:api_access_request_extend": Entry(
            "access_request", api(ACCESS_WRITE, ("POST",)), methods=("POST",)
        ),
        "api:api_access_request_decide": Entry(
            "access_request", api(ACCESS_WRITE, ("POST",)), methods=("POST",)
        ),
        "api:api_access_request_hand_out": Entry(
            "access_request", api(ACCESS_WRITE, ("POST",)), methods=("POST",)
        ),
        "api:api_access_request_export": Entry("access_request", api(ACCESS_READ)),
    }
)

# Issue 18, public pages (web/public): for anyone, signed in or not, to read only.
PUBLIC_READ_ONLY = lambda role, target, method: ALLOW if method == "GET" else NOT_ALLOWED  # noqa: E731
MATRIX.update(
    {
        "public:index": Entry("none", PUBLIC_READ_ONLY),
        "public:municipality": Entry("public", PUBLIC_READ_ONLY),
        "public:call": Entry("public_round", PUBLIC_READ_ONLY),
        "public:register": Entry("public", PUBLIC_READ_ONLY),
        "public:register_csv": Entry("public", PUBLIC_READ_ONLY),
        "public:register_json": Entry("public", PUBLIC_READ_ONLY),
        "public:register_atom": Entry("public", PUBLIC_READ_ONLY),
    }
)

# Issue 20, the directory of associations (web/directory): the association's own screens for
# its representative only (anyone else 404); the public pages for anyone, to read only. The
# scene lists nobody, so an association's public page is a 404 for everyone (tests/directory/
# covers a listed one).
OWN_DIRECTORY = per_target(a=roles({APPLICANT}), b=roles({OTHER_APPLICANT}))
MATRIX.update(
    {
        "directory:entries": Entry("association", get_only(OWN_DIRECTORY)),
        "directory:entry_edit": Entry("association_directory", OWN_DIRECTORY),
        "directory:entry_withdraw": Entry("association_directory", OWN_DIRECTORY),
        "api:api_directory_entry": Entry(
            "association_directory",
            api(OWN_DIRECTORY, ("GET", "PUT", "DELETE")),
            methods=("GET", "PUT", "DELETE", "POST"),
        ),
        "directory:public_list": Entry("public", PUBLIC_READ_ONLY),
        "directory:public_json": Entry("public", PUBLIC_READ_ONLY),
        "directory:public_csv": Entry("public", PUBLIC_READ_ONLY),
        "directory:public_entry": Entry(
            "directory_entry",
            lambda role, target, method: HIDDEN if method == "GET" else NOT_ALLOWED,
        ),
    }
)

# --- issue 18: oidc ---------------------------------------------------------------------------
# The municipality's identity provider is off in the matrix's settings: both addresses are a
# 404 for everyone (GET only; a POST is 405). tests/oidc/ covers them switched on.
MATRIX.update(
    {
        "oidc:authenticate": Entry(
            "none", lambda role, target, method: HIDDEN if method == "GET" else NOT_ALLOWED
        ),
        "oidc:callback": Entry(
            "none", lambda role, target, method: HIDDEN if method == "GET" else NOT_ALLOWED
        ),
    }
)

# --- issue 20: alloc ------------------------------------------------------------------------
# The allocation assistant (web/allocation): the chair of the meeting's body works it; the
# municipality's case officer may look (GET) but not work it (POST 403); other staff 403;
# anyone outside the municipality 404.


def allocation_users(chair: str, officer: str, staff: Iterable[str]) -> Expect:
    others = frozenset(staff) - {chair, officer}

    def expect(role: str, target: str, method: str) -> str:
        if role == ANONYMOUS:
            return LOGIN
        if role == chair:
            return ALLOW
        if role == officer:
            return ALLOW if method in ("GET", "HEAD") else FORBIDDEN
        return FORBIDDEN if role in others else HIDDEN

    return expect


# --- issue 20: voice (the questionnaire and its results) ----------------------------------------

DECIDED_STATES = frozenset({"granted", "paid", "report_submitted", "closed"})


def feedback_answerers(role: str, state: str, method: str) -> str:
    """The questionnaire on a case: only its association answers (staff never see one answer:
    403); it sees the page in any state, and answers once the decision is made (else 409)."""
    if role == ANONYMOUS:
        return LOGIN
    if not _viewers(role, state):
        return HIDDEN
    if _as_seen_from(role, state) != APPLICANT:
        return FORBIDDEN
    if method == "GET":
        return ALLOW
    return ALLOW if state in DECIDED_STATES else FLOW


def summary_readers(role: str, target: str, method: str) -> str:
    """A yearly summary: the municipality's staff and the associations that applied that
    year (A in Roskilde, B in Næstved); anyone else 404."""
    if role == ANONYMOUS:
        return LOGIN
    readers = {
        "own": STAFF | {APPLICANT},
        "other_municipality": {OTHER_APPLICANT, OTHER_CASE_OFFICER},
    }[target]
    return ALLOW if role in readers else HIDDEN


MATRIX.update(
    {
        "allocation:meeting_allocation": Entry(
            "meeting",
            per_target(
                council=allocation_users(COUNCIL_CHAIR, CASE_OFFICER, STAFF),
                committee=allocation_users(COMMITTEE, CASE_OFFICER, STAFF),
                # helle is Næstved's case officer; ivan (not in the cast) its committee's chair.
                other_municipality=allocation_users("", OTHER_CASE_OFFICER, ()),
            ),
        ),
        "feedback:feedback_answer": Entry("application", feedback_answerers),
        "feedback:round_results": Entry("round", get_only(OWN_ROUND_STAFF)),
        "feedback:year_results": Entry(
            "none", get_only(roles(STAFF | {OTHER_CASE_OFFICER}, rest=FORBIDDEN))
        ),
        "feedback:summary_new": Entry(
            "none", roles({CASE_OFFICER, OTHER_CASE_OFFICER}, rest=FORBIDDEN)
        ),
        "feedback:summaries": Entry("none", get_only(roles(SIGNED_IN))),
        "feedback:summary_pdf": Entry("feedback_summary", get_only(summary_readers)),
        "api:api_feedback": Entry("application", api(feedback_answerers, ("GET", "POST"))),
        "api:api_round_feedback": Entry("round", api(OWN_ROUND_STAFF)),
    }
)
