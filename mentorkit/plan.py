"""Program -> the list of outputs to make (pure): which printables exist and what they are called."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .i18n import Language
    from .model import ProgramFile

Kind = Literal["checklist", "agreement", "goals", "feedback", "survey", "workbook", "handbook"]
PRINT_DIR = "print"
CALENDAR = "calendar.ics"
# a link in one separately laid-out piece of a PDF to an anchor in another; pdfjoin resolves it
DEST_SCHEME = "mentorkit-dest:"

@dataclass(frozen=True)
class Document:
    """One PDF to print: its file name (a URL users share), title and what it holds."""

    name: str
    title: str
    kind: Kind
    survey: str | None = None
    role: Literal["mentor", "mentee"] | None = None

    @property
    def href(self) -> str:
        """Path relative to the output folder."""
        return f"{PRINT_DIR}/{self.name}"

def documents(pf: ProgramFile, lang: Language | None = None) -> list[Document]:
    """Every printable of a resolved program, in the order the downloads page lists them; titles
    in `lang` (default: the program's language with mentorkit's own catalogues)."""
    from .defaults import TYPES
    from .i18n import program_language

    lang = lang or program_language(pf, None)
    _ = lang.gettext
    roles = lang.roles(pf.program.roles, TYPES[pf.program.type])
    docs = [
        Document("first-meeting-checklist.pdf", _("First-meeting checklist"), "checklist"),
        Document("participant-agreement.pdf", _("Participant agreement"), "agreement"),
        Document("smart-goal-worksheet.pdf", _("SMART goal worksheet"), "goals"),
        Document("feedback-form.pdf", _("Feedback form"), "feedback"),
    ]
    docs += [Document(f"survey-{s.id}.pdf", _("Survey: %(title)s") % {"title": s.title}, "survey", survey=s.id)
             for s in pf.surveys or []]
    docs += [
        Document("workbook-mentee.pdf", _("Workbook for the %(role)s") % {"role": lang.inline(roles.mentee or _("mentee"))},
                 "workbook", role="mentee"),
        Document("workbook-mentor.pdf", _("Workbook for the %(role)s") % {"role": lang.inline(roles.mentor or _("mentor"))},
                 "workbook", role="mentor"),
        Document("handbook.pdf", _("The handbook as one book"), "handbook"),
    ]
    return docs
