"""`check --explain`: the program with all defaults filled in, and a summary of its timeline."""

from __future__ import annotations

import yaml

from .project import Project
from .verdict import plural


def explain(project: Project) -> str:
    """Resolved program as YAML, then the dated plan in a few lines."""
    data = project.program.model_dump(mode="json", by_alias=True, exclude_none=True)
    lines = ["# program.yml with every default filled in", yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                                                          width=100).rstrip(), "", "# timeline"]
    plan = project.plan
    lines.append(f"program: {plan.starts} to {plan.ends} ({plural((plan.ends - plan.starts).days + 1, 'day')}), "
                 f"times in {plan.timezone}")
    for s in plan.stages:
        meetings = plan.meetings_in(s.name)
        lines.append(f"{s.name.value:<13} {s.starts} to {s.ends}  every {s.every}  {plural(len(meetings), 'meeting')}")
    for m in plan.meetings:
        lines.append(f"  meeting {m.number:>3}  {m.starts:%a %Y-%m-%d %H:%M %Z}  {m.stage.value}")
    for d in plan.deadlines:
        lines.append(f"  {'milestone' if d.is_milestone else 'deadline '} {d.due}  {d.title}")
    for moment in plan.surveys:
        when = ", ".join(str(x) for x in moment.dates[:3]) + (" ..." if len(moment.dates) > 3 else "")
        lines.append(f"  survey     {when}  {moment.survey.title} ({moment.survey.when.value})")
    return "\n".join(lines)
