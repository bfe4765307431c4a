"""The home of every role ("Mine opgaver"): the page every role lands on after signing in.

One section per role the user has (an association they represent, case officer, council
member, council chair, committee, auditor), each read by one selector in
``cases/selectors/home.py`` with a fixed number of queries. Each item links straight to
where its work is done; the view only puts words and charts on the selectors' numbers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from cases.formatting import money
from cases.models import FLOW_ORDER, ApplicationStatus, StatusGroup
from cases.selectors import home as selectors
from cases.selectors import home_bodies, home_staff
from cases.selectors.home import Item
from cases.selectors.home_bodies import AuditorHome, CommitteeMeeting
from cases.selectors.home_staff import OfficerHome, RoundWork
from web.home.charts import Bar, bar_chart, pool_gauge

# What each item is called; the selector names it by key.
TITLES = {
    "drafts": gettext_lazy("Drafts"),
    "questions": gettext_lazy("Questions awaiting your answer"),
    "hearings": gettext_lazy("Hearings awaiting your answer"),
    "decisions": gettext_lazy("Decisions received"),
    "payouts": gettext_lazy("Payouts"),
    "reports": gettext_lazy("Usage reports to submit"),
    "new": gettext_lazy("New applications to screen"),
    "answers": gettext_lazy("Answers received"),
    "mine": gettext_lazy("Cases assigned to me"),
    "agenda": gettext_lazy("Applications not yet on an agenda"),
    "officer_reports": gettext_lazy("Usage reports to review"),
    "hearings_expired": gettext_lazy("Hearings whose answer deadline has passed"),
    "claims_overdue": gettext_lazy("Repayment claims overdue"),
    "rulings": gettext_lazy("Declared ties awaiting the council's ruling"),
    "officer_rulings": gettext_lazy("Case officers' declared ties awaiting your ruling"),
    # Issue 20, voice: until answered or declined.
    "feedback": gettext_lazy("Questionnaires: how was it to apply?"),
}


@dataclass
class Row:
    """An item as the page shows it."""

    title: str
    count: int
    href: str
    waited: str
    deadline: str
    overdue: str
    amount: str
    latest: str

    @property
    def facts(self) -> list[str]:
        return [f for f in (self.amount, self.latest, self.waited, self.deadline) if f]


def _day(value: datetime.datetime | datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def _when(value: datetime.datetime | datetime.date) -> str:
    """ "1. februar 2027 kl. 12.00" for a time, "1. februar 2027" for a day (local time)."""
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return _("%(date)s at %(time)s") % {
            "date": date_format(local, "j. F Y"),
            # Danish writes the time with a full stop: "kl. 12.00".
            "time": date_format(local, pgettext("time of day", "H:i")),
        }
    return date_format(value, "j. F Y")


def waited(since: datetime.datetime | datetime.date | None) -> str:
    """ "Den ældste har ventet 3 dage": how long the oldest has waited, in whole days."""
    if since is None:
        return ""
    days = (timezone.localdate() - _day(since)).days
    if days <= 0:
        return _("The oldest came in today")
    return ngettext("The oldest has waited %(n)s day", "The oldest has waited %(n)s days", days) % {
        "n": days
    }


def countdown(deadline: datetime.datetime | datetime.date | None) -> str:
    """ "Frist om 12 dage — 1. februar 2027 kl. 12.00"; "Frist i dag — …"; "Fristen er overskredet — …"."""
    if deadline is None:
        return ""
    days = (_day(deadline) - timezone.localdate()).days
    when = _when(deadline)
    if days < 0:
        return _("Deadline passed — %(when)s") % {"when": when}
    if days == 0:
        return _("Deadline today — %(when)s") % {"when": when}
    return ngettext(
        "Deadline in %(n)s day — %(when)s", "Deadline in %(n)s days — %(when)s", days
    ) % {"n": days, "when": when}


def _row(item: Item, key: str = "") -> Row:
    overdue = ""
    if item.overdue:
        overdue = ngettext("%(n)s overdue", "%(n)s overdue", item.overdue) % {"n": item.overdue}
    return Row(
        title=str(TITLES[key or item.key]),
        count=item.count,
        href=item.target.href,
        waited=waited(item.since) if item.count and not item.overdue else "",
        deadline=countdown(item.deadline) if item.count else "",
        overdue=overdue,
        amount=money(item.amount) if item.amount is not None else "",
        latest=_("Latest %(date)s") % {"date": date_format(_day(item.latest), "j. F Y")}
        if item.latest
        else "",
    )


def _round_rows(work: RoundWork) -> list[Row]:
    # A round shows only what needs doing; the round itself is always linked.
    return [
        _row(item, "officer_reports" if item.key == "reports" else "")
        for item in work.items
        if item.count
    ]


def _gauge(work: RoundWork | CommitteeMeeting, name: str) -> dict[str, Any]:
    requested = work.requested
    recommended = work.recommended
    granted = work.granted if isinstance(work, RoundWork) else work.granted_in_round
    pool = work.round.pool_amount if isinstance(work, RoundWork) else work.pool
    label = _(
        "%(name)s: pool %(pool)s, granted %(granted)s, recommended %(recommended)s, "
        "requested %(requested)s"
    ) % {
        "name": name,
        "pool": money(pool),
        "granted": money(granted),
        "recommended": money(recommended),
        "requested": money(requested),
    }
    return {
        "svg": pool_gauge(
            pool=pool,
            granted=granted,
            recommended=recommended,
            requested=requested,
            label=label,
        ),
        "pool": money(pool),
        "granted": money(granted),
        "recommended": money(recommended),
        "requested": money(requested),
        "left": money(pool - granted),
        "over": pool - granted < 0,
    }


def _officer(home: OfficerHome) -> dict[str, Any]:
    labels = dict(ApplicationStatus.choices)
    order = [s for s in FLOW_ORDER if s in home.status_counts]
    statuses = [
        Bar(str(labels[s]), home.status_counts[s], str(home.status_counts[s])) for s in order
    ]
    waiting = [
        Bar(
            str(labels[s]),
            home.median_days[s],
            _("%(days)s days") % {"days": number_format(home.median_days[s], 1)},
        )
        for s in StatusGroup.OPEN
        if s in home.median_days
    ]
    return {
        "rounds": [
            {
                "round": work.round,
                "rows": _round_rows(work),
                "gauge": _gauge(work, work.round.name),
            }
            for work in home.rounds
        ],
        "statuses": statuses,
        "status_chart": bar_chart(statuses, label=_("Applications per status")),
        "waiting": waiting,
        "waiting_chart": bar_chart(waiting, label=_("Median waiting time in days per open state")),
    }


def _decisions(auditor: AuditorHome) -> list[dict[str, Any]]:
    labels = dict(ApplicationStatus.choices)
    return [
        {"record": record, "outcome": labels.get(record.to_state, record.to_state)}
        for record in auditor.decisions
    ]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    associations = selectors.association_homes(user)
    officer = home_staff.officer_home(user)
    council = home_bodies.council_sheets(user)
    chair = home_bodies.chair_home(user)
    committee = home_bodies.committee_home(user)
    auditor = home_bodies.auditor_home(user)
    manager = home_bodies.manager_home(user)
    context: dict[str, Any] = {
        "associations": [
            {
                "home": section,
                "rows": [_row(item) for item in section.items if item.count],
                "rounds": [
                    {"round": r, "countdown": countdown(r.deadline)} for r in section.open_rounds
                ],
                "granted_total": money(section.granted_total),
            }
            for section in associations
        ],
        "officer": _officer(officer) if officer is not None else None,
        "council": council,
        "chair": {
            "rulings": [_row(chair.rulings)] if chair.rulings.count else [],
            "readiness": chair.readiness,
        }
        if chair is not None
        else None,
        "committee": [{"meeting": m, "gauge": _gauge(m, m.meeting.round.name)} for m in committee]
        if committee is not None
        else None,
        "auditor": auditor,
        "auditor_decisions": _decisions(auditor) if auditor is not None else [],
        "manager": [_row(manager)] if manager is not None and manager.count else [],
        "is_manager": manager is not None,
    }
    context["has_role"] = bool(
        associations
        or any(v is not None for v in (officer, council, chair, committee, auditor, manager))
    )
    return render(request, "home/home.html", context)
