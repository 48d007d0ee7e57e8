"""Words and date formats shared by the handbook and the printables (our own wording)."""

from __future__ import annotations

from datetime import date

from .i18n import ENGLISH, N_
from .model import Delivery, FeedbackSessions, Horizon, Outcome, StageName, SurveyMoment, Weekday

# The texts below are the catalogue's msgids (marked with N_): translate them where they are used,
# with the program's `Language` (`context.lang.gettext`). Dates in a language: `Language.day`/`short`.


def day(value: date) -> str:
    """'Tuesday 2 February 2027' (the English source; a program's own language: `Language.day`)."""
    return ENGLISH.day(value)


def short(value: date) -> str:
    """'2 Feb 2027' (the English source; a program's own language: `Language.short`)."""
    return ENGLISH.short(value)


SESSIONS_TEXT = {
    FeedbackSessions.every_meeting: N_("Spend the last few minutes of every meeting on feedback in both directions."),
    FeedbackSessions.monthly: N_("Once a month, set part of a meeting aside for feedback in both directions."),
    FeedbackSessions.quarterly: N_("Every three months, set part of a meeting aside for feedback in both directions."),
    FeedbackSessions.end_of_stage: N_("At the end of each stage, set part of a meeting aside for feedback in both "
                                   "directions."),
    FeedbackSessions.none: N_("There are no fixed feedback sessions: give feedback whenever it helps."),
}
MOMENT_TEXT = {
    SurveyMoment.registration: N_("before the programme starts"), SurveyMoment.after_matching: N_("after matching"),
    SurveyMoment.after_session: N_("after each meeting"), SurveyMoment.midpoint: N_("halfway through"),
    SurveyMoment.conclusion: N_("at the end"), SurveyMoment.follow_up: N_("after the programme has ended"),
}
# Plain words for the outcome categories (the names the programme team uses are `context.OUTCOME_NAMES`).
OUTCOME_PLAIN = {
    Outcome.attitudinal: N_("how you feel about your work"), Outcome.behavioral: N_("what you now do differently"),
    Outcome.career: N_("where your career is heading"), Outcome.health: N_("how you cope with pressure"),
}
ONE_SESSION_FEEDBACK = N_("Keep the last few minutes of your session for feedback in both directions.")

STAGE_TEXT = {
    StageName.initiation: N_("Getting to know each other; agreeing how you will work."),
    StageName.cultivation: N_("The main work: learning, trying, making progress on goals."),
    StageName.separation: N_("Meeting less often; growing independence."),
    StageName.redefinition: N_("Deciding what the relationship becomes next."),
}
# the stages' names as participants read them (`StageName` values are the YAML's words)
STAGE_NAMES = {
    StageName.initiation: N_("Initiation"), StageName.cultivation: N_("Cultivation"),
    StageName.separation: N_("Separation"), StageName.redefinition: N_("Redefinition"),
}
DELIVERY_NAMES = {Delivery.in_person: N_("In person"), Delivery.virtual: N_("Virtual"), Delivery.hybrid: N_("Hybrid")}
# "on Mondays": the day a programme meets, as a plural
WEEKDAY_NAMES = {
    Weekday.monday: N_("Mondays"), Weekday.tuesday: N_("Tuesdays"), Weekday.wednesday: N_("Wednesdays"),
    Weekday.thursday: N_("Thursdays"), Weekday.friday: N_("Fridays"), Weekday.saturday: N_("Saturdays"),
    Weekday.sunday: N_("Sundays"),
}
HORIZON_NAMES = {Horizon.habit: N_("Habit"), Horizon.reach: N_("Reach"), Horizon.stretch: N_("Stretch")}
# how far away each horizon is (the same words as `timeline.HORIZON_TEXT`, marked for the catalogue)
HORIZON_TEXT = {Horizon.habit: N_("4-8 weeks"), Horizon.reach: N_("3-12 months"), Horizon.stretch: N_("2-5 years")}
