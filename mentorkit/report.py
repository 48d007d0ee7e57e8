"""The impact report: checked responses -> figures (JSON) -> an HTML page with charts -> a PDF.

Nothing personal reaches the report: figures are counts, means and medians; written answers
appear only with `quotes`, sorted, never with who wrote them; the names of the files read are
left out (a filled-in form is often named after its author). Figures by role appear only when
every group of respondents has at least `min_group` people, since otherwise the small group's
answers would follow from the others by subtraction. The same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import io
import json
import statistics
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem
from .exports import OTHER_GOAL, OTHER_GOAL_LABEL, answer_options
from .i18n import ENGLISH, N_, Language, program_language
from .model import Goal, Outcome, ProgramFile, Question, QuestionType, Survey, SurveyMoment
from .responses import Response, Responses, read_responses
from .roster import ROLES, Participant

MIN_GROUP = 5
CHART_SALT = "mentorkit-report"
OUTCOME_TEXT = {
    Outcome.attitudinal: (N_("Attitudinal"), N_("how people feel about their mentoring, their work and themselves")),
    Outcome.behavioral: (N_("Behavioural"), N_("what people do differently")),
    Outcome.career: (N_("Career"), N_("where people's careers go, and whether they stay")),
    Outcome.health: (N_("Health"), N_("how people cope with pressure and stress")),
}


@dataclass
class Report:
    """The figures of one report and the warnings met while reading the answers."""

    figures: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)


# --- figures: one entry per question type ----------------------------------------------------

def _number(value: float) -> float:
    return round(float(value), 2)


def _answers(question: Question, responses: Iterable[Response]) -> list[Any]:
    return [r.answers[question.id] for r in responses if question.id in r.answers]


def _scale_figures(q: Question, values: list[Any], goals: Sequence[Goal], quotes: bool) -> dict[str, Any]:
    low, high = q.scale
    counts = {str(n): 0 for n in range(low, high + 1)}
    for v in values:
        counts[str(v)] += 1
    return {"type": q.type.value, "text": q.text, "n": len(values),
            "mean": _number(statistics.fmean(values)) if values else None,
            "median": _number(statistics.median(values)) if values else None, "counts": counts}


def _option_counts(q: Question, values: list[Any], goals: Sequence[Goal], quotes: bool) -> dict[str, Any]:
    counts = {o.key: 0 for o in answer_options(q, goals)}
    for v in values:
        for key in (v if isinstance(v, tuple) else (v,)):
            counts[key] = counts.get(key, 0) + 1
    return {"type": q.type.value, "text": q.text, "n": len(values), "counts": counts}


def _text_figures(q: Question, values: list[Any], goals: Sequence[Goal], quotes: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": q.type.value, "text": q.text, "n": len(values)}
    if quotes:
        out["quotes"] = sorted(str(v) for v in values)  # sorted: the order of the file says nothing
    return out


FIGURES: dict[QuestionType, Callable[[Question, list[Any], Sequence[Goal], bool], dict[str, Any]]] = {
    QuestionType.scale: _scale_figures,
    QuestionType.choice: _option_counts,
    QuestionType.multi: _option_counts,
    QuestionType.yes_no: _option_counts,
    QuestionType.text: _text_figures,
}


def _questions(survey: Survey, responses: list[Response], goals: Sequence[Goal], quotes: bool) -> dict[str, Any]:
    return {q.id: FIGURES[q.type](q, _answers(q, responses), goals, quotes) for q in survey.questions}


def _by_role(survey: Survey, responses: list[Response], goals: Sequence[Goal], roster: Sequence[Participant] | None,
             min_group: int) -> tuple[dict[str, Any], str | None]:
    """Figures per role, and why they are withheld (None when shown)."""
    if roster is None:
        return {}, None
    groups: dict[str, list[Response]] = {role: [r for r in responses if r.role == role] for role in ROLES}
    without = [r for r in responses if r.role is None]
    small = [role for role, members in groups.items() if 0 < len(members) < min_group]
    why = None
    if small:
        why = "small"
    elif 0 < len(without) < min_group and any(groups.values()):
        why = "without-role"  # the others' figures would give theirs away by subtraction
    out: dict[str, Any] = {}
    for role, members in groups.items():
        if why or not members:
            out[role] = {"suppressed": True, "questions": {}}
        else:
            questions = _questions(survey, members, goals, quotes=False)
            for qid, fig in questions.items():  # a question few of the group answered would show their answers
                if 0 < fig["n"] < min_group and fig["type"] != QuestionType.text.value:
                    questions[qid] = {"type": fig["type"], "text": fig["text"], "n": fig["n"], "suppressed": True}
            out[role] = {"suppressed": False, "responses": len(members), "questions": questions}
    return out, why


def _change(program: ProgramFile, responses: Responses) -> dict[str, Any] | None:
    """Midpoint -> end for the questions both surveys ask (same id and type), paired by respondent."""
    surveys = program.surveys or []
    before = next((s for s in surveys if s.when == SurveyMoment.midpoint), None)
    after = next((s for s in surveys if s.when == SurveyMoment.conclusion), None)
    if before is None or after is None or not responses.files.get(before.id) or not responses.files.get(after.id):
        return None
    asked_after = {q.id: q for q in after.questions}
    shared = [(q, asked_after[q.id]) for q in before.questions if q.id in asked_after]
    first, last = responses.by_survey[before.id], responses.by_survey[after.id]
    out: dict[str, Any] = {}
    for q, p in shared:
        kind = CHANGES.get(q.type)
        if kind is None or q.type != p.type or (q.type == QuestionType.scale and q.scale != p.scale):
            continue
        earlier = {r.respondent: r.answers[q.id] for r in first if r.respondent and q.id in r.answers}
        pairs = [(earlier[r.respondent], r.answers[q.id]) for r in last
                 if r.respondent in earlier and q.id in r.answers]
        out[q.id] = {"type": q.type.value, "text": p.text, **kind(_answers(q, first), _answers(p, last), pairs)}
    return {"from": before.id, "to": after.id, "questions": out}


def _scale_change(before: list[Any], after: list[Any], pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    def side(values: list[Any]) -> dict[str, Any]:
        return {"n": len(values), "mean": _number(statistics.fmean(values)) if values else None}

    moved = [b - a for a, b in pairs]
    return {"before": side(before), "after": side(after),
            "paired": {"n": len(pairs), "mean_change": _number(statistics.fmean(moved)) if moved else None,
                       "up": sum(1 for m in moved if m > 0), "same": sum(1 for m in moved if m == 0),
                       "down": sum(1 for m in moved if m < 0)}}


def _yes_no_change(before: list[Any], after: list[Any], pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    def side(values: list[Any]) -> dict[str, Any]:
        return {"n": len(values), "yes_share": _number(values.count("yes") / len(values)) if values else None}

    return {"before": side(before), "after": side(after),
            "paired": {"n": len(pairs), "became_yes": sum(1 for a, b in pairs if a == "no" and b == "yes"),
                       "became_no": sum(1 for a, b in pairs if a == "yes" and b == "no"),
                       "same": sum(1 for a, b in pairs if a == b)}}


CHANGES: dict[QuestionType, Callable[[list[Any], list[Any], list[tuple[Any, Any]]], dict[str, Any]]] = {
    QuestionType.scale: _scale_change,
    QuestionType.yes_no: _yes_no_change,
}


def _goals(program: ProgramFile, responses: Responses) -> dict[str, Any]:
    """Per goal, how many of those who answered the end survey's goals question ticked it."""
    surveys = sorted(program.surveys or [], key=lambda s: s.when != SurveyMoment.conclusion)
    found = next(((s, q) for s in surveys for q in s.questions if q.options_from == "goals"), None)
    if found is None:
        return {}
    survey, q = found
    if not responses.files.get(survey.id):
        return {}
    values = _answers(q, responses.by_survey[survey.id])
    ticked = [set(v if isinstance(v, tuple) else (v,)) for v in values]
    out: dict[str, Any] = {"survey": survey.id, "question": q.id, "answered": len(values), "goals": {}}
    for g in program.goals:
        out["goals"][g.id] = {"title": g.title, "for": g.for_, "reached": sum(1 for t in ticked if g.id in t)}
    other = sum(1 for t in ticked if OTHER_GOAL in t)
    if other:
        out["goals"][OTHER_GOAL] = {"title": OTHER_GOAL_LABEL, "for": None, "reached": other}
    return out


def figures(program: ProgramFile, responses: Responses, roster: Sequence[Participant] | None = None, *,
            min_group: int = MIN_GROUP, quotes: bool = False) -> dict[str, Any]:
    """Every figure of the report, as the JSON document `--format json` prints."""
    surveys: dict[str, Any] = {}
    withheld: dict[str, str] = {}
    read = [s for s in program.surveys or [] if responses.files.get(s.id)]
    for s in read:
        answered = responses.by_survey[s.id]
        invited = len(roster) if roster is not None else None
        # anonymous answers count towards the rate; those from addresses not on the roster do not
        counted = sum(1 for r in answered if r.role is not None or r.respondent is None)
        by_role, why = _by_role(s, answered, program.goals, roster, min_group)
        if why:
            withheld[s.id] = why
        surveys[s.id] = {
            "title": s.title, "when": s.when.value, "measures": [m.value for m in s.measures],
            "invited": invited, "responses": len(answered),
            "response_rate": _number(counted / invited) if invited else None,
            "questions": _questions(s, answered, program.goals, quotes),
            "by_role": by_role,
        }
    return {
        "program": {"id": program.program.id, "title": program.program.title},
        "min_group": min_group,
        "surveys": surveys,
        "not_read": [s.id for s in program.surveys or [] if s not in read],
        "withheld": withheld,
        "change": _change(program, responses),
        "goals": _goals(program, responses),
        "outcomes": {o.value: [s.id for s in read if o in s.measures] for o in Outcome},
    }


def build_report(program: ProgramFile, paths: Sequence[str | Path], roster: Sequence[Participant] | None = None, *,
                 min_group: int = MIN_GROUP, quotes: bool = False, root: Path | None = None) -> Report:
    """Read and check every file of answers, then work out the figures (ResponsesError lists every problem).
    `root`: the program's folder, whose own `<lang>.po` words the answers may use."""
    responses = read_responses(paths, program, roster, program_language(program, root))
    return Report(figures(program, responses, roster, min_group=min_group, quotes=quotes), responses.warnings)


def render_json(report: Report) -> str:
    """The figures as JSON, keys in the program's order."""
    return json.dumps(report.figures, indent=2, ensure_ascii=False) + "\n"


# --- charts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chart:
    """A chart as an SVG data URL, what it shows in words, and the numbers it was drawn from."""

    src: str
    alt: str
    rows: list[tuple[str, str]]


def _svg(draw: Callable[[Any], None], height: float) -> str:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.hashsalt": CHART_SALT, "svg.fonttype": "none", "svg.id": "chart",
                                "font.family": ["DejaVu Sans"], "font.size": 8}):
        figure = Figure(figsize=(4.2, height))
        axes = figure.add_subplot()
        draw(axes)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout(pad=0.4)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue().encode("utf-8")).decode("ascii")


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def count_chart(labels: list[str], counts: list[int], n: int, colour: str, *, vertical: bool, what: str,
                lang: Language = ENGLISH) -> Chart:
    """Bars of how many chose each answer (columns for a scale's points, rows for options)."""
    _ = lang.gettext
    def draw(axes: Any) -> None:
        places = list(range(len(labels)))
        if vertical:
            axes.bar(places, counts, color=colour, width=0.7)
            axes.set_xticks(places, labels)
            axes.set_ylabel(_("answers"))
            axes.yaxis.get_major_locator().set_params(integer=True)
        else:
            wrapped = [textwrap.fill(label, 34) for label in labels]
            axes.barh(places, counts, color=colour, height=0.6)
            axes.set_yticks(places, wrapped)
            axes.invert_yaxis()
            axes.set_xlabel(_("answers"))
            axes.xaxis.get_major_locator().set_params(integer=True)

    rows = [(label, f"{count} ({_percent(count, n)})") for label, count in zip(labels, counts, strict=True)]
    alt = _("Bar chart of %(what)s: %(bars)s.") % {
        "what": what, "bars": "; ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))}
    height = 1.7 if vertical else 0.45 + 0.32 * len(labels)
    return Chart(_svg(draw, height), alt, rows)


def change_chart(text: str, before: float, after: float, low: int, high: int, colour: str,
                 lang: Language = ENGLISH) -> Chart:
    """The midpoint and end means of one question as two dots on its scale, joined by a line."""
    _ = lang.gettext
    def draw(axes: Any) -> None:
        axes.plot([before, after], [0, 0], color="#9aa0ac", linewidth=2, zorder=1)
        axes.scatter([before], [0], s=60, color="#9aa0ac", zorder=2, label=_("midpoint: %(mean)s") % {"mean": _fmt(before, lang)})
        axes.scatter([after], [0], s=60, color=colour, zorder=3, label=_("end: %(mean)s") % {"mean": _fmt(after, lang)})
        axes.set_xlim(low - 0.5, high + 0.5)
        axes.set_xticks(list(range(low, high + 1)) if high - low <= 10 else list(range(low, high + 1, 2)))
        axes.set_yticks([])
        axes.spines["left"].set_visible(False)
        axes.set_xlabel(_("mean answer on the scale of %(low)s to %(high)s") % {"low": low, "high": high})
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)

    alt = _("Dot chart of the mean answer to '%(text)s' on its scale of %(low)s to %(high)s: %(before)s at the "
            "midpoint, %(after)s at the end.") % {"text": text, "low": low, "high": high, "before": _fmt(before, lang),
                                                  "after": _fmt(after, lang)}
    return Chart(_svg(draw, 1.25), alt, [(_("Midpoint"), _fmt(before, lang)), (_("End"), _fmt(after, lang))])


# --- HTML and PDF ----------------------------------------------------------------------------

def _fmt(value: float | None, lang: Language = ENGLISH) -> str:
    if value is None:
        return "-"
    if value == int(value):
        return str(int(value))
    return lang.decimal(value) if lang.content is not None else f"{value:.2f}".rstrip("0").rstrip(".")


def _question_view(q: Question, fig: dict[str, Any], goals: Sequence[Goal], colour: str,
                   lang: Language = ENGLISH) -> dict[str, Any]:
    _ = lang.gettext
    view: dict[str, Any] = {"id": q.id, "text": q.text, "type": q.type.value, "n": fig["n"], "chart": None,
                            "summary": "", "quotes": fig.get("quotes"), "stacked": False}
    if q.type == QuestionType.text:
        view["summary"] = lang.ngettext("%(num)s written answer", "%(num)s written answers", fig["n"]) % {"num": fig["n"]}
        return view
    labels = {o.key: o.label for o in answer_options(q, goals)}
    labels[OTHER_GOAL] = _(OTHER_GOAL_LABEL)
    if q.type == QuestionType.yes_no:
        labels.update({"yes": _("Yes"), "no": _("No")})
    keys = list(fig["counts"])
    shown = [str(k) if q.type == QuestionType.scale else labels.get(k, k) for k in keys]
    counts = [fig["counts"][k] for k in keys]
    if q.type == QuestionType.scale:
        low, high = q.scale
        ends = f" ({low} = {q.labels[0]}, {high} = {q.labels[-1]})" if q.labels else ""
        view["summary"] = _("%(num)s answers on a scale of %(low)s to %(high)s%(ends)s: mean %(mean)s, median "
                            "%(median)s") % {"num": fig["n"], "low": low, "high": high, "ends": ends,
                                             "mean": _fmt(fig["mean"], lang), "median": _fmt(fig["median"], lang)}
    else:
        view["summary"] = lang.ngettext("%(num)s answer", "%(num)s answers", fig["n"]) % {"num": fig["n"]}
        if q.type == QuestionType.multi:
            view["summary"] += " " + _("(several could be ticked)")
    view["stacked"] = max(map(len, shown), default=0) > 24
    if fig["n"]:
        view["chart"] = count_chart(shown, counts, fig["n"], colour, vertical=q.type == QuestionType.scale,
                                    what=_("answers to '%(question)s'") % {"question": q.text}, lang=lang)
    else:
        view["summary"] += _(": nobody answered")
    return view


def _role_rows(q: Question, survey_fig: dict[str, Any], goals: Sequence[Goal], lang: Language = ENGLISH
               ) -> list[tuple[str, str, str]]:
    _ = lang.gettext
    labels = {o.key: o.label for o in answer_options(q, goals)}
    if q.type == QuestionType.yes_no:
        labels.update({"yes": _("Yes"), "no": _("No")})
    rows = []
    for role, group in survey_fig["by_role"].items():
        if group["suppressed"]:
            continue
        fig = group["questions"][q.id]
        if fig.get("suppressed"):
            value = _("too few answers to show")
        elif q.type == QuestionType.scale:
            value = _("mean %(mean)s, median %(median)s") % {"mean": _fmt(fig["mean"], lang), "median": _fmt(fig["median"], lang)}
        elif q.type == QuestionType.text:
            value = _("%(num)s written") % {"num": fig["n"]}
        else:
            value = "; ".join(f"{labels.get(k, k)}: {c}" for k, c in fig["counts"].items())
        rows.append((role, str(fig["n"]), value))
    return rows


def html_context(program: ProgramFile, report: Report, lang: Language = ENGLISH) -> dict[str, Any]:
    """What templates/report/report.html.j2 is given: the figures, words and charts for them, in `lang`."""
    from .defaults import TYPES

    _ = lang.gettext
    data = report.figures
    colour = program.program.branding.colour
    labels = lang.roles(program.program.roles, TYPES[program.program.type])
    roles = {"mentor": labels.mentor or _("Mentor"), "mentee": labels.mentee or _("Mentee")}
    surveys = []
    for s in program.surveys or []:
        if s.id not in data["surveys"]:
            continue
        fig = data["surveys"][s.id]
        questions = []
        for q in s.questions:
            view = _question_view(q, fig["questions"][q.id], program.goals, colour, lang)
            view["roles"] = [(roles[r], n, v) for r, n, v in _role_rows(q, fig, program.goals, lang)]
            questions.append(view)
        rate = "-" if fig["response_rate"] is None else f"{round(100 * fig['response_rate'])}%"
        surveys.append({"id": s.id, "title": s.title, "when": s.when.value, "fig": fig, "rate": rate,
                        "questions": questions, "withheld": data["withheld"].get(s.id),
                        "measures": [_(OUTCOME_TEXT[m][0]) for m in s.measures]})
    change = data["change"]
    change_view: dict[str, Any] | None = None
    if change and change["questions"]:
        scales = {q.id: q.scale for s in program.surveys or [] if s.id == change["to"] for q in s.questions
                  if q.type == QuestionType.scale}
        change_view = {"charts": [], "rows": [],
                       "from": next(s.title for s in program.surveys or [] if s.id == change["from"]),
                       "to": next(s.title for s in program.surveys or [] if s.id == change["to"])}
        for qid, c in change["questions"].items():
            paired = c["paired"]
            if c["type"] == "scale":
                if c["before"]["mean"] is not None and c["after"]["mean"] is not None:
                    change_view["charts"].append(change_chart(c["text"], c["before"]["mean"], c["after"]["mean"],
                                                              *scales[qid], colour, lang))
                moved = (_("%(num)s answered both: mean change %(change)s; %(up)s up, %(same)s the same, %(down)s "
                           "down") % {"num": paired["n"], "change": lang.decimal(paired['mean_change'], sign=True),
                                      "up": paired["up"], "same": paired["same"], "down": paired["down"]}
                         if paired["n"] else _("nobody answered both"))
                change_view["rows"].append((c["text"], _fmt(c["before"]["mean"], lang), _fmt(c["after"]["mean"], lang), moved))
            else:
                moved = (_("%(num)s answered both: %(yes)s changed to yes, %(no)s to no")
                         % {"num": paired["n"], "yes": paired["became_yes"], "no": paired["became_no"]}
                         if paired["n"] else _("nobody answered both"))
                shares = [c[side]["yes_share"] for side in ("before", "after")]
                change_view["rows"].append((c["text"], *("-" if v is None else _("%(share)s yes")
                                                         % {"share": f"{round(100 * v)}%"} for v in shares), moved))
    goals = data["goals"]
    goal_view = None
    if goals and goals["answered"]:
        labels = [g["title"] for g in goals["goals"].values()]
        counts = [g["reached"] for g in goals["goals"].values()]
        goal_view = {"answered": goals["answered"],
                     "rows": [(g["title"], roles.get(g["for"] or "", ""), g["reached"],
                               _percent(g["reached"], goals["answered"])) for g in goals["goals"].values()],
                     "chart": count_chart(labels, counts, goals["answered"], colour, vertical=False,
                                          what=_("goals reached"), lang=lang)}
    measured = [o for o in Outcome if data["outcomes"][o.value]]
    headlines = []
    for sid, survey_fig in data["surveys"].items():
        for fig in survey_fig["questions"].values():
            if fig["type"] == "scale" and fig["n"]:
                result = _("mean %(mean)s") % {"mean": _fmt(fig["mean"], lang)}
            elif fig["type"] == "yes-no" and fig["n"]:
                result = _("%(share)s yes") % {"share": _percent(fig["counts"]["yes"], fig["n"])}
            else:
                continue
            headlines.append((survey_fig["title"], fig["text"], result,
                              [sid in data["outcomes"][o.value] for o in measured]))
    outcomes = {"names": [_(OUTCOME_TEXT[o][0]) for o in measured],
                "about": [(_(OUTCOME_TEXT[o][0]), _(OUTCOME_TEXT[o][1])) for o in measured], "rows": headlines}
    pf = program.program
    return {"program": pf, "colour": colour, "language": pf.language, "surveys": surveys, "change": change_view,
            "goals": goal_view, "outcomes": outcomes,
            "not_read": [s.title for s in program.surveys or [] if s.id in data["not_read"]],
            "min_group": data["min_group"], "roles": roles,
            "has_roster": any(s["fig"]["invited"] is not None for s in surveys),
            "quotes": any(q["quotes"] is not None for s in surveys for q in s["questions"]),
            "period": f"{pf.starts.day} {pf.starts:%B %Y} to {pf.last_day.day} {pf.last_day:%B %Y}"}


def render_html(program: ProgramFile, report: Report, project_root: Path | None = None) -> str:
    """The report as one self-contained HTML page (charts inline) that also prints well."""
    from .i18n import program_language
    from .printing import page_of_css
    from .templating import environment

    lang = program_language(program, project_root)
    values = {**html_context(program, report, lang), **lang.template_functions(),
              "page_of": page_of_css(lang.gettext("Page %(page)s of %(pages)s")),
              "running_title": page_of_css(lang.gettext("Impact report")),
              "period": lang.gettext("%(starts)s to %(ends)s") % {"starts": lang.long(program.program.starts),
                                                                  "ends": lang.long(program.program.last_day)}}
    return environment(project_root).get_template("report/report.html.j2").render(values)


def render_pdf(html: str, project_root: Path) -> bytes:
    """The HTML page laid out by WeasyPrint."""
    from .printing import html_to_pdf

    return html_to_pdf(html, base_url=project_root.resolve().as_uri() + "/", roots=[project_root])


def report_files(program: ProgramFile, report: Report, project_root: Path) -> dict[str, bytes]:
    """report.html, report.pdf and report.json."""
    html = render_html(program, report, project_root)
    return {"report.html": html.encode("utf-8"), "report.pdf": render_pdf(html, project_root),
            "report.json": render_json(report).encode("utf-8")}


def write_report(out: Path, files: dict[str, bytes], project_root: Path) -> None:
    """Write the report folder as `build` writes the site: staged beside OUT, swapped in when complete."""
    from .output import staged, write_files

    with staged(out, project_root) as stage:
        write_files(stage, files)


__all__ = ["Report", "build_report", "figures", "render_json", "render_html", "render_pdf", "report_files",
           "write_report", "MIN_GROUP"]
