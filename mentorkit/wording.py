"""Words and date formats shared by the handbook and the printables (our own wording)."""

from __future__ import annotations

from datetime import date

from .model import FeedbackSessions, Outcome, StageName, SurveyMoment


def day(value: date) -> str:
    """'Tuesday 2 February 2027'."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def short(value: date) -> str:
    """'2 Feb 2027'."""
    return f"{value.day} {value:%b %Y}"


SESSIONS_TEXT = {
    FeedbackSessions.every_meeting: "Spend the last few minutes of every meeting on feedback in both directions.",
    FeedbackSessions.monthly: "Once a month, set part of a meeting aside for feedback in both directions.",
    FeedbackSessions.quarterly: "Every three months, set part of a meeting aside for feedback in both directions.",
    FeedbackSessions.end_of_stage: "At the end of each stage, set part of a meeting aside for feedback in both "
                                   "directions.",
    FeedbackSessions.none: "There are no fixed feedback sessions: give feedback whenever it helps.",
}
MOMENT_TEXT = {
    SurveyMoment.registration: "before the programme starts", SurveyMoment.after_matching: "after matching",
    SurveyMoment.after_session: "after each meeting", SurveyMoment.midpoint: "halfway through",
    SurveyMoment.conclusion: "at the end", SurveyMoment.follow_up: "after the programme has ended",
}
# Plain words for the outcome categories (the names the programme team uses are `context.OUTCOME_NAMES`).
OUTCOME_PLAIN = {
    Outcome.attitudinal: "how you feel about your work", Outcome.behavioral: "what you now do differently",
    Outcome.career: "where your career is heading", Outcome.health: "how you cope with pressure",
}
ONE_SESSION_FEEDBACK = "Keep the last few minutes of your session for feedback in both directions."

STAGE_TEXT = {
    StageName.initiation: "Getting to know each other; agreeing how you will work.",
    StageName.cultivation: "The main work: learning, trying, making progress on goals.",
    StageName.separation: "Meeting less often; growing independence.",
    StageName.redefinition: "Deciding what the relationship becomes next.",
}
