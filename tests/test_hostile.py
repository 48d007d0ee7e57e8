"""A program whose every text field is hostile builds, shows the text literally and runs nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import REFERENCE, chromium_page, copy_reference, need_tool, serve_folder, visible

from mentorkit.build import build

pytestmark = pytest.mark.slow

PAYLOADS = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(2)>",
    "{{ 7*7 }} {% if true %}jinja{% endif %}",
    "[click me](javascript:alert(3)) **bold** _under_",
    "| pipe | # heading `code` <!-- comment -->",
    "(unbalanced \\) /Name %%EOF endobj << >>",
    "\u202eevil RTL \U0001F600 Zoë Łukasz",
]
FREE_TEXT = {"title", "summary", "organisation", "name", "text", "specific", "measurable", "achievable",
             "relevant", "mentor", "mentee", "audience", "intro"}
LISTS = {"objectives", "criteria", "prompts", "before", "during", "after", "options", "labels"}


def hostile(data, counter=[0]):  # noqa: B006 - a running counter spreads the payloads
    if isinstance(data, dict):
        for key, value in data.items():
            if key in FREE_TEXT and isinstance(value, str):
                counter[0] += 1
                data[key] = f"{PAYLOADS[counter[0] % len(PAYLOADS)]} {key}"
            elif key in LISTS and isinstance(value, list):
                data[key] = [f"{PAYLOADS[i % len(PAYLOADS)]} item" for i, _ in enumerate(value)]
            else:
                hostile(value)
    elif isinstance(data, list):
        for item in data:
            hostile(item)
    return data


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    program = copy_reference(folder)
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    data = hostile(data)
    data["program"]["contact"]["email"] = "team@example.org"
    program.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build(program, folder / "site", jobs=2)
    return folder / "site"


def test_pdfs_show_the_text_literally(hostile_site):
    tool = need_tool("pdftotext")
    text = subprocess.run([tool, str(hostile_site / "print" / "workbook-mentee.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "<script>alert(1)</script>" in text
    assert "{{ 7*7 }}" in text and "49" not in text.split("Page")[0]
    assert "%%EOF endobj" in text


def test_pages_contain_no_live_markup(hostile_site):
    for page in hostile_site.rglob("*.html"):
        source = page.read_text(encoding="utf-8")
        assert "<script>alert" not in source, page.name
        assert "<img src=x" not in source and 'href="javascript:' not in source, page.name
        # Jinja syntax was never evaluated: it would have left "49" and a bare "jinja"
        assert "49 {% if" not in source and "49 jinja" not in source and "> jinja " not in source


def test_pages_show_what_was_typed(hostile_site):
    """HTML, Markdown and Jinja typed into the program are shown as typed: the title and summary on
    the home page, every goal's title on the goals page, the Jinja payload somewhere, unevaluated."""
    program = yaml.safe_load((hostile_site.parent / "program.yml").read_text(encoding="utf-8"))
    home = visible((hostile_site / "index.html").read_text(encoding="utf-8"))
    assert program["program"]["title"] in home and program["program"]["summary"] in home
    goals = visible((hostile_site / "goals.html").read_text(encoding="utf-8"))
    for goal in program["goals"]:
        assert goal["title"] in goals, goal["title"]
    everything = " ".join(visible(page.read_text(encoding="utf-8")) for page in sorted(hostile_site.rglob("*.html")))
    assert PAYLOADS[2] in everything


@pytest.mark.browser
def test_no_script_runs_and_text_is_literal_in_a_browser(hostile_site):
    dialogs: list[str] = []
    errors: list[str] = []
    with serve_folder(hostile_site) as base, chromium_page(base) as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        for name in ["index.html", "goals.html", "surveys.html", "roles.html", "feedback.html",
                     "first-meeting.html", "matching.html", "schedule.html"]:
            page.goto(f"{base}/{name}")
            page.wait_for_load_state("load")
            for link in page.locator("article a").all():
                href = link.get_attribute("href") or ""
                assert not href.lower().startswith("javascript:"), href
        page.goto(f"{base}/goals.html")
        body = page.locator("article").inner_text()
        assert "<script>alert(1)</script>" in body or "\"><img src=x onerror=alert(2)>" in body
        page.goto(f"{base}/index.html")
        program = yaml.safe_load((hostile_site.parent / "program.yml").read_text(encoding="utf-8"))
        assert program["program"]["title"] in page.title()
        assert page.locator("article h1").inner_text().rstrip("¶") == program["program"]["title"]
    assert dialogs == [] and errors == [], (dialogs, errors)
