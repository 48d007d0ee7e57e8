"""The handbook site: golden pages, end-to-end builds, escaping, overrides, and a real browser."""

from __future__ import annotations

import html as html_module
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REFERENCE, chromium_page, copy_reference, minimal, serve_folder

from mentorkit.build import build
from mentorkit.cli import main
from mentorkit.defaults import FIRST_MEETING
from mentorkit.errors import MentorkitError
from mentorkit.plan import documents
from mentorkit.project import load_program
from mentorkit.site import render_pages

GOLDEN = Path(__file__).parent / "golden" / "site"
TYPES = ["one-on-one", "group", "peer", "reverse", "flash", "virtual"]


def test_golden_markdown_of_the_reference_program(update_golden):
    project = load_program(REFERENCE)
    pages = render_pages(project, documents(project.program))
    if update_golden:
        for old in GOLDEN.rglob("*.md"):
            old.unlink()
        for rel, text in pages.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_text(text, encoding="utf-8")
    expected = {p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8") for p in GOLDEN.rglob("*.md")}
    assert sorted(pages) == sorted(expected), "pages added or removed: run pytest --update-golden"
    for rel, text in pages.items():
        assert text == expected[rel], f"{rel} differs from its golden copy (pytest --update-golden to accept)"


@pytest.fixture(scope="module")
def reference_site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("ref")
    program = copy_reference(folder)
    build(program, folder / "site", jobs=2)
    return folder / "site"


def html(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def visible(page_html: str) -> str:
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page_html, flags=re.S)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", text)).split())


@pytest.mark.slow
def test_reference_site_pages_hold_the_programs_data(reference_site):
    site = reference_site
    for page in ["index", "mentoring", "program-type", "roles", "matching", "journey", "schedule", "first-meeting",
                 "goals", "feedback", "surveys", "challenges", "impact", "faq", "downloads", "pages/charter"]:
        assert (site / f"{page}.html").is_file(), page
    home = visible(html(site, "index.html"))
    assert "Monday 1 February 2027 to Friday 29 October 2027" in home
    assert "Priya Raman" in home and "mentoring@northwind.example" in home
    schedule = html(site, "schedule.html")
    assert len(re.findall(r"<tr>\s*<td[^>]*>\d+</td>", schedule)) == 17
    assert 'href="calendar.ics"' in schedule
    goals = visible(html(site, "goals.html"))
    assert "Lead a strategy workstream" in goals and "Practice session two" in goals
    roles = visible(html(site, "roles.html"))
    assert "Reverse mentor" in roles and "Executive mentee" in roles
    checklist = html(site, "first-meeting.html")
    assert checklist.count('<li><label><input type="checkbox"') == sum(map(len, FIRST_MEETING.values())) + 3
    assert "Read the programme charter together with your line manager" in checklist
    journey = visible(html(site, "journey.html"))
    assert "Monday 30 August 2027 to Sunday 10 October 2027" in journey
    downloads = html(site, "downloads.html")
    for doc in ["print/workbook-mentee.pdf", "print/survey-midpoint.pdf", "calendar.ics"]:
        assert f'href="{doc}"' in downloads and (site / doc).is_file()
    assert "Programme charter" in visible(html(site, "pages/charter.html"))
    assert (site / "assets" / "logo.svg").is_file()
    assert "--md-primary-fg-color: #0b5cad" in (site / "assets" / "mentorkit.css").read_text()
    assert "fonts.googleapis" not in html(site, "index.html")


@pytest.mark.slow
@pytest.mark.parametrize("kind", TYPES)
def test_five_line_program_builds_a_complete_handbook(tmp_path, kind):
    program = tmp_path / "program.yml"
    program.write_text(minimal(kind, "1 day" if kind == "flash" else "9 months"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(program), "-o", str(tmp_path / "site"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    assert len(list((site / "print").glob("*.pdf"))) >= 6
    home = visible(html(site, "index.html"))
    assert "Minimal program" in home
    type_page = visible(html(site, "program-type.html"))
    assert type_page.count("mentoring") > 3
    schedule = html(site, "schedule.html")
    rows = len(re.findall(r"<tr>\s*<td[^>]*>\d+</td>", schedule))
    assert rows == (1 if kind == "flash" else len(load_program(program).plan.meetings)) and rows > 0


@pytest.mark.slow
def test_user_text_is_data_not_code(tmp_path):
    program = copy_reference(tmp_path)
    text = program.read_text()
    text = text.replace("title: Reverse Mentoring Programme 2027", "title: \"{{ 7*7 }} <script>alert(1)</script>\"")
    text = text.replace("title: Lead a strategy workstream", "title: \"[click](javascript:alert(2)) **bold** {% if 1 %}x{% endif %}\"")
    text = text.replace("name: Priya Raman", "name: \"<img src=x onerror=alert(3)>\"")
    program.write_text(text)
    build(program, tmp_path / "site", jobs=1)
    site = tmp_path / "site"
    everything = "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert "<script>alert" not in everything
    assert "<img src=x" not in everything and 'href="javascript:' not in everything
    home = visible(html(site, "index.html"))
    assert "{{ 7*7 }} <script>alert(1)</script>" in home
    assert "49" not in home
    goals = visible(html(site, "goals.html"))
    assert "[click](javascript:alert(2)) **bold** {% if 1 %}x{% endif %}" in goals


def test_user_overrides_of_content_and_templates(tmp_path):
    program = copy_reference(tmp_path)
    (tmp_path / "content" / "faq.md").write_text("### Our own question\n\nOur own answer.\n")
    (tmp_path / "templates" / "site").mkdir(parents=True)
    (tmp_path / "templates" / "site" / "index.md.j2").write_text(
        '{% extends "builtin/site/index.md.j2" %}\n')
    (tmp_path / "templates" / "site" / "matching.md.j2").write_text("# Matching\n\nDone by hand: {{ roles.mentor|md }}\n")
    project = load_program(program)
    pages = render_pages(project, documents(project.program))
    assert "Our own question" in pages["faq.md"]
    assert pages["matching.md"] == "# Matching\n\nDone by hand: Reverse mentor\n"
    assert pages["index.md"].startswith("# Reverse Mentoring Programme 2027")


def test_override_templates_run_in_a_sandbox(tmp_path):
    program = copy_reference(tmp_path)
    (tmp_path / "templates" / "site").mkdir(parents=True)
    (tmp_path / "templates" / "site" / "faq.md.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    project = load_program(program)
    with pytest.raises(Exception, match="unsafe|not safely"):
        render_pages(project, documents(project.program))


def test_extra_page_through_symlink_is_refused(tmp_path):
    program = copy_reference(tmp_path / "p")
    (tmp_path / "secret.md").write_text("# secret")
    (tmp_path / "p" / "content" / "charter.md").unlink()
    (tmp_path / "p" / "content" / "charter.md").symlink_to(tmp_path / "secret.md")
    with pytest.raises(MentorkitError) as info:
        load_program(program)
    assert f"{program}:153:5: error: pages[0]: 'content/charter.md' resolves outside" in str(info.value)


def test_raw_html_in_team_pages_is_neutralised(tmp_path):
    program = copy_reference(tmp_path)
    (tmp_path / "content" / "charter.md").write_text("# Charter\n\n<script>alert(1)</script>\n<a onclick=\"x()\">a</a>\n")
    project = load_program(program)
    page = render_pages(project, documents(project.program))["pages/charter.md"]
    assert "<script" not in page and "onclick" not in page


# --- real browser -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(reference_site):
    with serve_folder(reference_site) as base:
        yield base


@pytest.fixture(scope="module")
def browser_page(served):
    with chromium_page(served) as page:
        yield page


@pytest.mark.browser
@pytest.mark.slow
def test_navigation_search_and_no_console_errors(served, browser_page):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{served}/index.html")
    links = page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]", "els => els.map(e => e.href)")
    targets = sorted({link.split("#")[0] for link in links if link.startswith(served)})
    assert len(targets) >= 16
    for url in targets:
        page.goto(url)
        assert page.locator("article h1").count() == 1, url
    page.goto(f"{served}/index.html")
    page.wait_for_load_state("networkidle")
    page.locator("input.md-search__input").click()
    page.locator("input.md-search__input").press_sequentially("strategy workstream", delay=20)
    page.wait_for_selector(".md-search-result__item a", state="attached", timeout=20000)
    results = page.locator(".md-search-result__item a").evaluate_all("els => els.map(e => e.href)")
    assert any("goals.html" in r for r in results), results
    assert not errors, errors


@pytest.mark.browser
@pytest.mark.slow
def test_every_page_is_accessible(served, browser_page):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser_page
    page.goto(f"{served}/index.html")
    links = page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]", "els => els.map(e => e.href)")
    problems = []
    for url in sorted({link.split("#")[0] for link in links if link.startswith(served)}):
        page.goto(url)
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append(f"{url}: {violation['id']} ({violation['impact']}): {violation['help']}")
    assert not problems, "\n".join(problems)


def test_theme_files_skip_icons_but_copy_the_same_files_as_mkdocs(tmp_path):
    """The site gets every static file of the theme MkDocs itself would copy, no more, no fewer,
    in the same order, while Material's thousands of icons are never walked."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    from mentorkit.site import theme_files, write_docs

    project = load_program(copy_reference(tmp_path / "p"))
    config = write_docs(project, tmp_path / "work", documents(project.program), "calendar.ics", None)
    cfg = load_config(config_file=str(config), site_dir=str(tmp_path / "site"))
    env = cfg.theme.get_env()
    plain, ours = Files([]), Files([])
    plain.add_files_from_theme(env, cfg)
    env.list_templates = lambda extensions=None, filter_func=None: theme_files(env, extensions, filter_func)
    ours.add_files_from_theme(env, cfg)
    copied = [f.src_uri for f in ours]
    assert copied == [f.src_uri for f in plain]
    assert any(name.endswith(".js") for name in copied) and any(name.endswith(".css") for name in copied)
    assert not any(name.startswith(".icons/") for name in theme_files(env))
    assert any(name.startswith(".icons/") for name in type(env).list_templates(env))  # they exist: skipped


def test_mkdocs_gets_the_settings_it_would_read_from_mkdocs_yml(tmp_path):
    """mkdocs.yml is read with libyaml and handed to MkDocs as settings: the same settings MkDocs'
    own reading of the file gives; a file with a YAML tag is left to MkDocs."""
    from mkdocs.config import load_config
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    from mentorkit.site import _config_options, write_docs

    project = load_program(copy_reference(tmp_path / "p"))
    config = write_docs(project, tmp_path / "work", documents(project.program), "calendar.ics", None)
    options = _config_options(config)
    settings = {k: v for k, v in options.items() if k not in ("config_file", "config_file_path")}
    with config.open("rb") as fh:
        assert settings == yaml_load(fh, get_yaml_loader()) and settings["nav"]
    ours = load_config(**{**options, "site_dir": str(tmp_path / "site")})
    theirs = load_config(config_file=str(config), site_dir=str(tmp_path / "site"))
    assert {k: str(v) for k, v in ours.items()} == {k: str(v) for k, v in theirs.items()}
    tagged = tmp_path / "tagged" / "mkdocs.yml"
    tagged.parent.mkdir()
    tagged.write_text("site_name: !ENV [MENTORKIT_NOT_SET, 'Handbook']\n", encoding="utf-8")
    assert _config_options(tagged) == {"config_file": str(tagged)}
