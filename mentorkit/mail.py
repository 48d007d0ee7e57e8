"""Draft e-mails for one participant: .eml files a mail client opens as unsent drafts. mentorkit never sends mail.

Each draft is a Jinja template in templates/mail/ (a program's own templates/mail/ overrides it): its first
line is `Subject: ...`, then a blank line, then the plain-text body. The files are the same bytes on every
run: no Date header, and a Message-ID made from the program, the person and the draft.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as mail_policy
from typing import Any

from .defaults import TYPES
from .errors import Problem, RosterError
from .i18n import program_language
from .model import SurveyMoment
from .project import Project
from .runbook import organiser_dates
from .templating import environment


@dataclass(frozen=True)
class Draft:
    """One draft: its file name, template and the survey it invites to (survey invitations)."""

    name: str
    template: str
    survey: Any = None


def drafts_for(project: Project) -> list[Draft]:
    """The drafts every participant gets, in the order they are sent.

    The registration survey has none: people on a roster have already registered.
    """
    surveys = [m for m in project.plan.surveys if m.survey.when != SurveyMoment.registration]
    out = [Draft("01-welcome.eml", "mail/welcome.txt.j2"), Draft("02-match.eml", "mail/match.txt.j2")]
    out += [Draft(f"{n:02d}-survey-{m.survey.id}.eml", "mail/survey.txt.j2", m)
            for n, m in enumerate(sorted(surveys, key=lambda m: m.dates[0]), start=3)]
    out.append(Draft(f"{len(out) + 1:02d}-thank-you.eml", "mail/thank-you.txt.j2"))
    return out


def _address(name: str, email: str) -> Address:
    user, _, domain = email.strip().rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


def render_drafts(project: Project, person: Any, partners: list[Any]) -> dict[str, bytes]:
    """File name -> .eml bytes of every draft for `person` (a roster participant) and their partners."""
    pf = project.program
    program = pf.program
    env = environment(project.root)
    lang = program_language(pf, project.root)
    roles = lang.roles(program.roles, TYPES[program.type])
    values = {
        **lang.template_functions(), "time": lang.time, "lang": lang,
        "pf": pf, "program": program, "plan": project.plan, "roles": roles, "day": lang.day, "short": lang.short,
        "person": person, "role_label": getattr(roles, person.role),
        "partners": [p.name for p in partners], "partner_roles": [getattr(roles, p.role) for p in partners],
        "handbook": pf.site.url, "organiser": organiser_dates(pf), "contact": program.contact,
        "group": program.type.value == "group",
    }
    out = {}
    for draft in drafts_for(project):
        text = env.get_template(draft.template).render(values, moment=draft.survey,
                                                       survey=draft.survey.survey if draft.survey else None)
        out[draft.name] = _message(project, person, draft, text)
    return out


def _message(project: Project, person: Any, draft: Draft, text: str) -> bytes:
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject:"):
        raise RosterError([Problem(draft.template, 1, 1, "error", "", "a mail template starts with a line "
                                   "'Subject: ...' and a blank line")])
    contact = project.program.program.contact
    message = EmailMessage()
    message["Subject"] = " ".join(head.removeprefix("Subject:").split())
    try:
        if contact is not None and contact.email:
            message["From"] = _address(contact.name, contact.email)
        message["To"] = _address(person.name, person.email)
    except (ValueError, IndexError) as exc:
        raise RosterError([Problem("roster", getattr(person, "row", None), None, "error", "",
                                   f"cannot address a mail to {person.email!r}: {exc}")]) from None
    seed = "\0".join((project.program.program.id, person.email.lower(), draft.name))
    message["Message-ID"] = f"<{hashlib.sha256(seed.encode()).hexdigest()[:32]}@mentorkit.invalid>"
    message["X-Unsent"] = "1"  # opens as a draft in Outlook, Thunderbird and Apple Mail
    message.set_content(body.strip() + "\n", cte="quoted-printable")
    return message.as_bytes(policy=mail_policy)
