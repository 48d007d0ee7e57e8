"""The typed program: pydantic models of every section of program.yml."""

from __future__ import annotations

import re
from datetime import date, time
from enum import StrEnum
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .intervals import CalendarSpan, Interval, MeetingEvery, MeetingLength

FORMAT_VERSION = 1
MAX_PROGRAM_DAYS = 3653  # ten years: enough for the longest stretch goal, small enough to plan day by day
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class ProgramType(StrEnum):
    """The six kinds of mentoring program."""

    one_on_one = "one-on-one"
    group = "group"
    peer = "peer"
    reverse = "reverse"
    flash = "flash"
    virtual = "virtual"


class Delivery(StrEnum):
    """Where meetings happen."""

    in_person = "in-person"
    virtual = "virtual"
    hybrid = "hybrid"


class Weekday(StrEnum):
    """Day of the week for regular meetings."""

    monday = "monday"
    tuesday = "tuesday"
    wednesday = "wednesday"
    thursday = "thursday"
    friday = "friday"
    saturday = "saturday"
    sunday = "sunday"

    @property
    def number(self) -> int:
        """Monday is 0, as in `date.weekday()`."""
        return list(Weekday).index(self)


class Horizon(StrEnum):
    """How far away a goal is: habit 4-8 weeks, reach 3-12 months, stretch 2-5 years."""

    habit = "habit"
    reach = "reach"
    stretch = "stretch"


class StageName(StrEnum):
    """The four stages of a mentoring relationship, in order."""

    initiation = "initiation"
    cultivation = "cultivation"
    separation = "separation"
    redefinition = "redefinition"


class SurveyMoment(StrEnum):
    """When a survey is taken."""

    registration = "registration"
    after_matching = "after-matching"
    after_session = "after-session"
    midpoint = "midpoint"
    conclusion = "conclusion"
    follow_up = "follow-up"


class Outcome(StrEnum):
    """The four categories of mentoring outcomes a survey can measure."""

    attitudinal = "attitudinal"
    behavioral = "behavioral"
    career = "career"
    health = "health"


class QuestionType(StrEnum):
    """How a survey question is answered."""

    text = "text"
    choice = "choice"
    multi = "multi"
    scale = "scale"
    yes_no = "yes-no"


class OnHoliday(StrEnum):
    """What happens to a meeting that falls on a public holiday."""

    next_working_day = "next-working-day"
    skip = "skip"
    keep = "keep"


class FeedbackSessions(StrEnum):
    """How often partners set time aside for mutual feedback."""

    every_meeting = "every-meeting"
    monthly = "monthly"
    quarterly = "quarterly"
    end_of_stage = "end-of-stage"
    none = "none"


# --- scalar types that keep the YAML line in their errors ---------------------------------

def _day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        got = str(value).lower() if isinstance(value, bool) else repr(value)
        raise PydanticCustomError("date", f"expected a date written YYYY-MM-DD, got {got}")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError("date", "{value} is not a date in the calendar", {"value": value}) from None
    if not 1970 <= day.year <= 2199:
        raise PydanticCustomError("date", "{value} is too far from today to plan for", {"value": value})
    return day


Day = Annotated[date, BeforeValidator(_day), WithJsonSchema({"type": "string", "format": "date"})]


def _clock(value: Any) -> Any:
    if isinstance(value, time):
        return value
    text = value.strip() if isinstance(value, str) else None
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text or "")
    if not match:
        raise PydanticCustomError("time", f"expected a time written HH:MM (24-hour), got {value!r}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise PydanticCustomError("time", "{value} is not a time of day", {"value": value})
    return time(hour, minute)


Clock = Annotated[
    time,
    BeforeValidator(_clock),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,2}:\d{2}$"}),
]


def _slug(value: str) -> str:
    if not SLUG.match(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "my-program"
        raise PydanticCustomError("slug", f"{value!r} is not a slug (lowercase letters, digits and single "
                                  f"hyphens); did you mean {suggestion!r}?")
    return value


Slug = Annotated[str, AfterValidator(_slug), Field(pattern=SLUG.pattern, max_length=80)]


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        from zoneinfo import available_timezones

        from .suggest import closest

        hint = closest(value, sorted(available_timezones()))
        advice = hint or "; use an IANA name such as 'Europe/London'"
        raise PydanticCustomError("timezone", f"unknown time zone {value!r}{advice}") from None
    return value


TimeZone = Annotated[str, AfterValidator(_timezone)]


def _holiday_region(value: str) -> str:
    from .publicholidays import normalise, region_problem

    problem = region_problem(value)
    if problem is not None:
        raise PydanticCustomError("holidays", problem)
    return normalise(value)


HolidayRegion = Annotated[str, Field(min_length=2, max_length=40), AfterValidator(_holiday_region)]

Text = Annotated[str, Field(min_length=1, max_length=5000)]
ShortText = Annotated[str, Field(min_length=1, max_length=300)]
Colour = Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$|^#[0-9a-fA-F]{3}$")]
Language = Annotated[str, Field(pattern=r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


class Section(BaseModel):
    """Common configuration: unknown keys are errors. Each field's docstring is its description in
    the JSON Schema (`json_schema`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- program ------------------------------------------------------------------------------

class Contact(Section):
    """Who participants write to."""

    name: ShortText
    """Name of the programme contact."""
    email: ShortText | None = None
    """E-mail address of the programme team."""


class Roles(Section):
    """What the two partners are called in this program."""

    mentor: ShortText | None = None
    """Label of the partner who gives guidance (default follows the program type)."""
    mentee: ShortText | None = None
    """Label of the partner who is guided (default follows the program type)."""


class Branding(Section):
    """The look of the handbook and printables."""

    logo: ShortText | None = None
    """Logo image, relative to program.yml (SVG or PNG)."""
    colour: Colour = "#3f51b5"
    """Main colour as a hex code, e.g. '#0b5cad'."""


class Group(Section):
    """Group programs: how circles are formed."""

    size: Annotated[int, Field(ge=2, le=50)] = 6
    """Mentees in one circle."""
    mentors: Annotated[int, Field(ge=1, le=10)] = 1
    """Mentors who lead each circle."""


class Program(Section):
    """What the program is, for whom, and when it runs."""

    id: Slug
    """Short identifier: lowercase letters, digits and hyphens."""
    title: ShortText
    """Name of the program as participants see it."""
    organisation: ShortText | None = None
    """Organisation running the program."""
    type: ProgramType
    """one-on-one | group | peer | reverse | flash | virtual."""
    delivery: Delivery | None = None
    """in-person | virtual | hybrid (default follows the type)."""
    summary: Text | None = None
    """A few sentences on what the program is for."""
    audience: Text | None = None
    """Who the program is for."""
    language: Language = "en"
    """Handbook language as a BCP 47 tag, e.g. 'en' or 'en-GB'."""
    starts: Day
    """First day of the program."""
    ends: Day | None = None
    """Last day of the program (give this or `duration`)."""
    duration: CalendarSpan | None = None
    """Length of the program, e.g. '9 months' (give this or `ends`)."""
    contact: Contact | None = None
    """Who participants contact with questions."""
    roles: Roles = Roles()
    """Labels for the two roles."""
    branding: Branding = Branding()
    """Logo and colour."""
    objectives: list[ShortText] = []
    """What the organisation wants from the program."""
    group: Group | None = None
    """Circle size for group programs."""

    @field_validator("ends")
    @classmethod
    def _ends_after_starts(cls, ends: date | None, info: ValidationInfo) -> date | None:
        starts = info.data.get("starts")
        if ends is not None and starts is not None and ends < starts:
            raise PydanticCustomError("date_order", "ends ({ends}) is before starts ({starts})",
                                      {"ends": ends.isoformat(), "starts": starts.isoformat()})
        return ends

    @field_validator("duration")
    @classmethod
    def _not_forever(cls, duration: Interval | None) -> Interval | None:
        if duration is not None and duration.approx_days() > MAX_PROGRAM_DAYS:
            raise PydanticCustomError("too_long", "a program lasts at most 10 years")
        return duration

    @model_validator(mode="after")
    def _one_end(self) -> Program:
        if self.ends is None and self.duration is None:
            raise PydanticCustomError("missing_end", "give either 'ends' (a date) or 'duration' (e.g. '9 months')")
        if self.ends is not None and self.duration is not None:
            raise PydanticCustomError("two_ends", "give 'ends' or 'duration', not both")
        if self.ends is not None and (self.ends - self.starts).days > MAX_PROGRAM_DAYS:
            raise PydanticCustomError("too_long", "a program lasts at most 10 years; check 'starts' and 'ends'")
        return self

    @property
    def last_day(self) -> date:
        """The program's last day, from `ends` or `starts + duration`."""
        if self.ends is not None:
            return self.ends
        assert self.duration is not None
        from datetime import timedelta

        return max(self.starts, self.duration.add_to(self.starts) - timedelta(days=1))


# --- cadence ------------------------------------------------------------------------------

class Stage(Section):
    """One stage's length and, optionally, its own meeting interval."""

    weeks: Annotated[int, Field(ge=0, le=520)] | None = None
    """Length of the stage in weeks (default: a share of the program)."""
    every: MeetingEvery | None = None
    """Meeting interval in this stage, or 'none' (default: the cadence's)."""


class Stages(Section):
    """The four stages of the mentoring relationship."""

    initiation: Stage = Stage()
    """Getting to know each other and agreeing how to work."""
    cultivation: Stage = Stage()
    """The main period of learning and progress."""
    separation: Stage = Stage()
    """Growing independence; meetings thin out."""
    redefinition: Stage = Stage()
    """The relationship becomes one between colleagues."""

    def get(self, name: StageName) -> Stage:
        """The stage called `name`."""
        return getattr(self, name.value)


class Cadence(Section):
    """How often, when and how long partners meet."""

    every: MeetingEvery | None = None
    """Meeting interval, e.g. '2 weeks' (default follows the type; 'none' for no schedule)."""
    sessions: Annotated[int, Field(ge=1, le=500)] | None = None
    """At most this many meetings (flash programs default to 1)."""
    length: MeetingLength | None = None
    """Length of one meeting, e.g. '60 min'."""
    weekday: Weekday = Weekday.tuesday
    """Day of the week meetings fall on."""
    time: Clock = time(10, 0)
    """Local start time, HH:MM (quote it in YAML: "10:00")."""
    timezone: TimeZone = "UTC"
    """IANA time zone name, e.g. 'Europe/London'."""
    stages: Stages = Stages()
    """Stage lengths and per-stage meeting intervals."""
    holidays: HolidayRegion | None = None
    """Public holidays of a country or subdivision as an ISO 3166 code, e.g. 'GB-ENG', 'DE-BY' or 'US-CA'."""
    on_holiday: OnHoliday = OnHoliday.next_working_day
    """A meeting on a public holiday: next-working-day (moved) | skip (not held) | keep."""


# --- matching, goals, checklists, feedback ------------------------------------------------

class MatchRule(StrEnum):
    """How `mentorkit match` compares two people's answers to a criterion."""

    overlap = "overlap"
    same = "same"
    different = "different"


REGISTRATION_COLUMNS = ("name", "email", "role")


class Criterion(Section):
    """One matching criterion: a plain label, or a column of the registrations with a rule."""

    id: Slug | None = None
    """Column of the registrations CSV (and question id in the registration survey) holding the answers."""
    label: ShortText | None = None
    """What the criterion is called in the handbook (default: the id)."""
    rule: MatchRule | None = None
    """overlap: what the mentor offers meets what the mentee wants; same: equal answers score;
    different: a hard rule, never pair two people with the same answer."""
    weight: Annotated[int, Field(ge=1, le=100)] | None = None
    """How much an overlap or same criterion counts, as a whole number (default 1)."""
    options: list[ShortText] | None = None
    """Answers the registration survey offers for this criterion."""

    @model_validator(mode="before")
    @classmethod
    def _plain_label(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"label": value}
        if not isinstance(value, dict):
            raise PydanticCustomError("criterion_type", "expected a label, or a mapping with id, label, rule "
                                      "and weight")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Criterion:
        if self.id is None and self.label is None:
            raise PydanticCustomError("criterion_empty", "give a label, or an id and a rule")
        if self.rule is not None and self.id is None:
            raise PydanticCustomError("criterion_id", "a criterion with a rule needs an 'id': the column of the "
                                      "registrations that holds the answers", {"at": ["rule"]})
        if self.id is not None and self.rule is None:
            raise PydanticCustomError("criterion_rule", f"criterion {self.id!r} needs a rule: overlap, same or "
                                      "different", {"at": ["id"]})
        if self.id in REGISTRATION_COLUMNS:
            raise PydanticCustomError("criterion_reserved", f"{self.id!r} is a column every registration already "
                                      "has; choose another id", {"at": ["id"]})
        if self.weight is not None and self.rule == MatchRule.different:
            raise PydanticCustomError("weight_on_hard_rule", "a 'different' rule is a hard rule and takes no "
                                      "weight; remove 'weight' or use 'same' or 'overlap'", {"at": ["weight"]})
        if self.weight is not None and self.rule is None:
            raise PydanticCustomError("weight_without_rule", "'weight' needs an id and a rule", {"at": ["weight"]})
        if self.options is not None and self.rule is None:
            raise PydanticCustomError("options_without_rule", "'options' need an id and a rule", {"at": ["options"]})
        return self

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A label-only criterion is written back as the plain label it was given as."""
        if self.rule is None and self.id is None and self.options is None and self.weight is None:
            return self.label
        return handler(self)

    @property
    def title(self) -> str:
        """The label, or the id when there is none."""
        return self.label or str(self.id)

    @property
    def points(self) -> int:
        """The most a pair can score on this criterion (0 for hard rules and labels)."""
        if self.rule in (MatchRule.overlap, MatchRule.same):
            return self.weight or 1
        return 0


def _label_or_criterion(schema: dict[str, Any]) -> None:
    """JSON Schema: each criterion is a plain label or a mapping."""
    schema["items"] = {"anyOf": [{"type": "string", "minLength": 1, "maxLength": 300}, schema["items"]]}


class Matching(Section):
    """How mentors and mentees are paired."""

    method: Literal["administered", "self"] = "administered"
    """administered: the programme team pairs people; self: participants choose."""
    criteria: Annotated[list[Criterion], Field(json_schema_extra=_label_or_criterion)] = [
        Criterion(label="career goals"), Criterion(label="experience and expertise"),
        Criterion(label="learning and communication style"), Criterion(label="location and department")]
    """What matching looks at, most important first: plain labels, or mappings with id, label, rule and weight
    that `mentorkit match` scores."""
    capacity: Annotated[int, Field(ge=1, le=50)] | None = None
    """Mentees per mentor for `mentorkit match` (group programs: the circle's size; default 1, or the group
    size)."""
    meet_before_committing: bool = True
    """Whether mentees may meet several candidates before committing."""

    @field_validator("criteria")
    @classmethod
    def _unique_criteria(cls, criteria: list[Criterion]) -> list[Criterion]:
        seen: dict[str, int] = {}
        for index, criterion in enumerate(criteria):
            if criterion.id is None:
                continue
            if criterion.id in seen:
                raise PydanticCustomError("duplicate_id", f"criterion id {criterion.id!r} is used twice (first at "
                                          f"[{seen[criterion.id]}])", {"at": [index, "id"]})
            seen[criterion.id] = index
        return criteria

    @property
    def scored(self) -> list[Criterion]:
        """The criteria `mentorkit match` reads from the registrations (those with a rule)."""
        return [c for c in self.criteria if c.rule is not None]


class Milestone(Section):
    """A dated step towards a goal."""

    title: ShortText
    """What is done by the due date."""
    due: Day
    """Date the milestone is due."""


class Goal(Section):
    """A SMART goal."""

    id: Slug
    """Identifier, unique among goals."""
    title: ShortText
    """The goal in one line."""
    horizon: Horizon = Horizon.reach
    """habit (4-8 weeks) | reach (3-12 months) | stretch (2-5 years)."""
    for_: Literal["mentee", "mentor"] = Field("mentee", alias="for")
    """Whose goal it is: the mentee's unless 'mentor'."""
    specific: Text | None = None
    """S: what exactly will be done."""
    measurable: Text | None = None
    """M: how progress and success are measured."""
    achievable: Text | None = None
    """A: why it is within reach, and with what support."""
    relevant: Text | None = None
    """R: why it matters now."""
    time_bound: Day | None = None
    """T: the deadline."""
    milestones: list[Milestone] = []
    """Dated steps on the way."""


class FirstMeeting(Section):
    """The first-meeting checklist."""

    before: list[ShortText] = []
    """Items to do before the first meeting."""
    during: list[ShortText] = []
    """Items to cover during the first meeting."""
    after: list[ShortText] = []
    """Items to do after the first meeting."""
    replace: bool = False
    """Replace the built-in checklist instead of adding to it."""


class Checklists(Section):
    """Checklists in the handbook and printables."""

    first_meeting: FirstMeeting = FirstMeeting()
    """The first-meeting checklist: additions or a replacement."""


class Feedback(Section):
    """How partners give each other feedback."""

    positive_per_corrective: Annotated[int, Field(ge=1, le=10)] = 3
    """Affirming comments for each corrective one."""
    sessions: FeedbackSessions = FeedbackSessions.monthly
    """every-meeting | monthly | quarterly | end-of-stage | none."""
    prompts: list[ShortText] = []
    """Questions partners answer in feedback sessions."""


# --- surveys ------------------------------------------------------------------------------

class Question(Section):
    """One survey question."""

    id: Slug
    """Identifier, unique within its survey."""
    text: ShortText
    """The question as asked."""
    type: QuestionType = QuestionType.text
    """text | choice | multi | scale | yes-no."""
    required: bool = False
    """Whether an answer is required."""
    options: list[ShortText] | None = None
    """Answers to choose from (choice and multi)."""
    options_from: Literal["goals"] | None = None
    """'goals': one option per program goal (choice and multi)."""
    min: int | None = None
    """Lowest value on a scale (default 1)."""
    max: int | None = None
    """Highest value on a scale (default 5)."""
    labels: list[ShortText] | None = None
    """Words for the two ends of a scale, e.g. ['Not at all', 'Completely']."""

    @field_validator("max")
    @classmethod
    def _range(cls, high: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min")
        if high is not None and low is not None and low >= high:
            raise PydanticCustomError("scale_range", "max ({high}) must be greater than min ({low})",
                                      {"high": high, "low": low})
        return high

    @model_validator(mode="after")
    def _fits_type(self) -> Question:
        multiple = self.type in (QuestionType.choice, QuestionType.multi)
        if multiple and not self.options and not self.options_from:
            raise PydanticCustomError("no_options", "a {kind} question needs 'options' or 'options_from: goals'",
                                      {"kind": self.type.value})
        if not multiple and (self.options or self.options_from):
            raise PydanticCustomError("stray_options", "'options' only fit choice and multi questions, "
                                      "not {kind}", {"kind": self.type.value})
        if self.type != QuestionType.scale and (self.min is not None or self.max is not None):
            raise PydanticCustomError("stray_range", "'min' and 'max' only fit scale questions")
        if self.type == QuestionType.scale:
            low, high = self.scale
            if high - low > 20:
                raise PydanticCustomError("scale_range", "a scale of more than 21 points cannot be printed; "
                                          "use at most 0..20")
            if low >= high:
                raise PydanticCustomError("scale_range", "max ({high}) must be greater than min ({low})",
                                          {"high": high, "low": low})
        return self

    @property
    def scale(self) -> tuple[int, int]:
        """(min, max) of a scale question, with defaults 1..5."""
        return (1 if self.min is None else self.min, 5 if self.max is None else self.max)


def _unique_ids(items: list[Any], what: str) -> list[Any]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        if item.id in seen:
            raise PydanticCustomError("duplicate_id", f"{what} id {item.id!r} is used twice (first at [{seen[item.id]}])",
                                      {"at": [index, "id"]})
        seen[item.id] = index
    return items


class Survey(Section):
    """A survey taken at one moment of the program."""

    id: Slug
    """Identifier, unique among surveys; the PDF is survey-<id>.pdf."""
    title: ShortText
    """Title shown on the form."""
    when: SurveyMoment
    """registration | after-matching | after-session | midpoint | conclusion | follow-up."""
    after: CalendarSpan | None = None
    """Follow-up surveys: how long after the program's last day, e.g. '6 months' (or give `on`)."""
    on: Day | None = None
    """Follow-up surveys: the date, after the program's last day (or give `after`)."""
    measures: list[Outcome] = []
    """Outcome categories this survey measures."""
    intro: Text | None = None
    """A sentence or two shown above the questions."""
    questions: list[Question] = []
    """The questions, in order."""
    url: ShortText | None = None
    """Address of the online form, if the survey also runs online; the site and the printed form link to it."""

    @field_validator("questions")
    @classmethod
    def _unique_questions(cls, questions: list[Question]) -> list[Question]:
        return _unique_ids(questions, "question")

    @model_validator(mode="after")
    def _follow_up_date(self) -> Survey:
        given = [key for key in ("after", "on") if getattr(self, key) is not None]
        if self.when != SurveyMoment.follow_up:
            if given:
                raise PydanticCustomError("stray_follow_up", "'{key}' only fits a survey with 'when: follow-up'",
                                          {"key": given[0], "at": [given[0]]})
        elif not given:
            raise PydanticCustomError("follow_up_date", "a follow-up survey needs 'after' (e.g. '6 months' after "
                                      "the program ends) or 'on' (a date)", {"at": ["when"]})
        elif len(given) == 2:
            raise PydanticCustomError("follow_up_date", "give 'after' or 'on', not both", {"at": ["on"]})
        return self


class Organiser(Section):
    """The programme team's own dates; the runbook derives any left out from the program's dates and type."""

    registration_opens: Day | None = None
    """First day people can register."""
    registration_closes: Day | None = None
    """Last day to register; the registration survey is due then."""
    matches_announced: Day | None = None
    """Day partners learn who they are matched with."""
    kickoff: Day | None = None
    """Launch event for everyone (default: the first day of the program)."""
    closing_event: Day | None = None
    """Closing event (default: the last day of the program)."""


class Print(Section):
    """Printables settings."""

    paper: Literal["A4", "letter"] = "A4"
    """Paper size: A4 | letter."""
    fillable: bool = True
    """Make PDF form fields that can be filled in on screen."""


class SiteOptions(Section):
    """Handbook website settings."""

    changelog: bool = False
    """Add a 'What changed' page built from program.yml's git history."""
    url: ShortText | None = None
    """Public address of the handbook, if it is published."""
    engine: Literal["material", "zensical"] = "material"
    """The site engine: `material` (MkDocs with Material for MkDocs, the default; end of life) or
    `zensical` (its successor from the same team, reading the same settings)."""


class Scorm(Section):
    """How the SCORM package (`mentorkit package --to scorm`) reports to the learning platform."""

    complete: Literal["open", "all-pages"] = "open"
    """When the learner counts as having completed the handbook: `open` (as soon as it is opened)
    or `all-pages` (once every page has been seen)."""


class Publish(Section):
    """Publishing settings: the offline copy and the learning-platform package."""

    scorm: Scorm = Scorm()
    """The SCORM package."""


TermName = Literal["programme", "mentor", "mentee", "meeting", "goal"]
PEOPLE_TERMS = ("mentor", "mentee")
"""The key words that name people: the only ones with a feminine form."""


def _word_or_mapping(value: Any, keys: str) -> Any:
    """A word written alone is its singular (`one`): `mentee: protégé` reads as `mentee: {one: protégé}`."""
    if isinstance(value, str):
        return {"one": value}
    if not isinstance(value, dict):
        raise PydanticCustomError("word_type", f"expected a word, or a mapping with {keys}")
    return value


def _or_a_word(schema: dict[str, Any]) -> None:
    """JSON Schema: a word alone is allowed wherever a `Term` or its `Feminine` is (each value of
    `terms`, and `feminine`)."""
    word = {"type": "string", "minLength": 1, "maxLength": 300}
    if "additionalProperties" in schema:
        schema["additionalProperties"] = {"anyOf": [schema["additionalProperties"], word]}
    elif "anyOf" in schema:
        schema["anyOf"].insert(-1, word)


class Feminine(Section):
    """The feminine of a team's word for people, written where mentorkit's text uses a feminine form
    (German 'Mentorin'; French 'personne mentorée'). A word alone is the singular."""

    one: ShortText
    """The singular, e.g. 'Patin' or 'filleule'."""
    other: ShortText | None = None
    """The plural (default: the language's regular plural of `one`)."""

    @model_validator(mode="before")
    @classmethod
    def _alone(cls, value: Any) -> Any:
        return _word_or_mapping(value, "one and other")

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A feminine given as a word alone is written back as that word."""
        return self.one if self.other is None else handler(self)


class Term(Section):
    """The organisation's own word for one of mentorkit's key words, in the program's language. A
    word alone is the singular."""

    one: ShortText
    """The singular, e.g. 'protégé' or 'scheme'."""
    other: ShortText | None = None
    """The plural (default: the language's regular plural of `one`)."""
    gender: Literal["m", "f", "n"] | None = None
    """Grammatical gender (French, German, Spanish), so that articles before the word agree."""
    feminine: Annotated[Feminine | None, Field(json_schema_extra=_or_a_word)] = None
    """mentor and mentee only: the team's feminine form, written where mentorkit's text uses a feminine
    one (German 'Mentorin', French 'personne mentorée'), e.g. 'Patin' or {one: Patin, other: Patinnen};
    without it the team's word stands for both (see docs/i18n.md)."""
    forms: dict[ShortText, ShortText] = {}
    """Exact phrases of mentorkit's text and what to write instead, for what the rules miss,
    e.g. {'des Programms': 'der Initiative'}."""

    @model_validator(mode="before")
    @classmethod
    def _alone(cls, value: Any) -> Any:
        return _word_or_mapping(value, "one, other, gender, feminine and forms")

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A term given as a word alone is written back as that word."""
        if self.other is None and self.gender is None and self.feminine is None and not self.forms:
            return self.one
        return handler(self)


class ProgramFile(Section):
    """A whole program.yml."""

    mentorkit: int
    """Format version of this file; only 1 exists."""
    program: Program
    """What the program is, for whom, and when it runs."""
    cadence: Cadence = Cadence()
    """Meeting rhythm and the four stages."""
    matching: Matching = Matching()
    """How partners are matched."""
    goals: list[Goal] = []
    """SMART goals."""
    checklists: Checklists = Checklists()
    """Checklists."""
    feedback: Feedback = Feedback()
    """Feedback practice."""
    surveys: list[Survey] | None = None
    """Surveys (default: registration, after-matching, midpoint and conclusion)."""
    pages: list[ShortText] = []
    """Extra Markdown pages, relative to program.yml."""
    print: Print = Print()
    """Printables settings."""
    organiser: Organiser = Organiser()
    """The programme team's dates: registration, match announcement, kickoff, closing event."""
    site: SiteOptions = SiteOptions()
    """Handbook website settings."""
    publish: Publish = Publish()
    """Publishing settings (the SCORM package)."""
    terms: Annotated[dict[TermName, Term], Field(json_schema_extra=_or_a_word)] = {}
    """The organisation's own words for mentorkit's key words across every page and printable, e.g.
    {mentee: protégé, programme: {one: scheme, other: schemes}} (see docs/i18n.md)."""

    @field_validator("mentorkit")
    @classmethod
    def _version(cls, version: int) -> int:
        if version != FORMAT_VERSION:
            raise PydanticCustomError("version", "format version {version} is not supported; this mentorkit reads "
                                      "version {supported}", {"version": version, "supported": FORMAT_VERSION})
        return version

    @field_validator("goals")
    @classmethod
    def _unique_goals(cls, goals: list[Goal]) -> list[Goal]:
        return _unique_ids(goals, "goal")

    @field_validator("terms")
    @classmethod
    def _feminine_of_people(cls, terms: dict[str, Term]) -> dict[str, Term]:
        for key, term in terms.items():
            if term.feminine is not None and key not in PEOPLE_TERMS:
                raise PydanticCustomError("feminine_of_a_thing", "only mentor and mentee name people and take "
                                          "'feminine'; remove it here", {"at": [key, "feminine"]})
        return terms

    @field_validator("surveys")
    @classmethod
    def _unique_surveys(cls, surveys: list[Survey] | None) -> list[Survey] | None:
        return None if surveys is None else _unique_ids(surveys, "survey")

    @model_validator(mode="after")
    def _follow_up_after_the_end(self) -> ProgramFile:
        last = self.program.last_day
        for index, survey in enumerate(self.surveys or []):
            if survey.on is not None and survey.on <= last:
                raise PydanticCustomError("date_order", "a follow-up survey comes after the program: {on} is not "
                                          "after its last day ({last})", {"on": survey.on.isoformat(),
                                          "last": last.isoformat(), "at": ["surveys", index, "on"]})
        return self


def _field_docstrings() -> dict[str, dict[str, str]]:
    """Class name -> field name -> the docstring under the field, read from this module's source.

    Pydantic can read them itself (`use_attribute_docstrings`), but it does so for every model as
    the module is imported, by finding each class in the source again: a quarter of the import,
    paid by every build and check for a schema that only `mentorkit schema` and `init` print.
    """
    import ast
    import inspect
    import sys

    tree = ast.parse(inspect.getsource(sys.modules[__name__]))
    found: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        fields = found.setdefault(node.name, {})
        for field, doc in zip(node.body, node.body[1:], strict=False):
            if (isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name)
                    and isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
                    and isinstance(doc.value.value, str)):
                fields[field.target.id] = inspect.cleandoc(doc.value.value)
    return found


def json_schema() -> dict[str, Any]:
    """The JSON Schema of program.yml, every field described by its docstring."""
    schema = ProgramFile.model_json_schema()
    docs = _field_docstrings()
    models: list[type[BaseModel]] = [ProgramFile, *_models(ProgramFile)]
    for model in models:
        target = schema if model is ProgramFile else schema["$defs"][model.__name__]
        for name, info in model.model_fields.items():
            doc = docs.get(model.__name__, {}).get(name)
            prop = target.get("properties", {}).get(info.alias or name)
            if doc is not None and prop is not None and "description" not in prop:
                prop["description"] = doc
    return schema


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every model `root`'s fields hold, at any depth (those the schema lists under `$defs`)."""
    seen: list[type[BaseModel]] = []

    def walk(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp not in seen:
                seen.append(tp)
                for info in tp.model_fields.values():
                    walk(info.annotation)
            return
        for arg in getattr(tp, "__args__", ()):
            walk(arg)

    for info in root.model_fields.values():
        walk(info.annotation)
    return seen


__all__ = [name for name in dir() if not name.startswith("_")]
