"""Issue 20: a French, German or Spanish program, everything a participant or the programme team reads
in its language (pages, printables, calendars, mail drafts, survey exports, the matching explanation,
the impact report), and `terms:` reaching every form of our words (German Mentorin, des Mentors; French
la personne mentorée, l'objectif; Spanish los mentores).

The programs here are the reference program with every text the team writes in program.yml replaced
by a token (Qz1, Qz2...), so that whatever English is left is ours. One program per language, built
once (module-scoped fixtures).
"""

from __future__ import annotations

import csv
import email
import io
import logging
import re
import shutil
import subprocess
from email import policy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from conftest import REFERENCE, ROOT, context_of, need_tool

from mentorkit.i18n import language
from mentorkit.project import load_program

LANGUAGES = ["fr", "de", "es"]
TEXT_KEYS = {"title", "summary", "organisation", "name", "specific", "measurable", "achievable", "relevant",
             "text", "label", "before", "during", "after", "prompts", "objectives", "options", "criteria"}
ROSTER = [("Ada Q", "ada@example.org", "mentor", "g1"), ("Ben Q", "ben@example.org", "mentee", "g1")]

# English words that are no word of the language either: each is a sign of an interface text left in English
ENGLISH = set("""the your you with this that are what when which from have our each and for how why will
would their they them about before after during meeting meetings survey surveys goal goals week weeks
monday tuesday wednesday thursday friday saturday sunday january february march june july october december
signature page answers answer written required yes points score pairs matched registered mentee's mentor's
deadline reminder tomorrow workbook checklist agreement certificate awarded""".split())
ALSO_A_WORD = {"de": {"will", "was", "an", "in", "so", "die", "score"},
               "fr": {"page", "score", "points", "date", "signature", "pairs"},
               "es": {"no"}}


def _marked(folder: Path, tag: str, terms: dict[str, Any] | None = None) -> Path:
    """The reference program in `tag`, its own texts replaced by tokens and its role labels left out."""
    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    data["program"]["language"] = tag
    data["program"].pop("roles", None)
    count = iter(range(1, 10_000))

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        return f"Qz{next(count)}" if isinstance(node, str) and key in TEXT_KEYS else node

    data = walk(data)
    if terms:
        data["terms"] = terms
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "assets").mkdir(exist_ok=True)
    (folder / "content").mkdir(exist_ok=True)
    shutil.copy(ROOT / "assets" / "logo.svg", folder / "assets" / "logo.svg")
    (folder / "content" / "charter.md").write_text("# Qzcharter\n\nQzcharter.\n", encoding="utf-8")
    path = folder / "program.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _answers(project: Any, folder: Path) -> list[Path]:
    """Answers to the program's midpoint and conclusion surveys, in mentorkit's CSV template."""
    from mentorkit.exports import answer_options
    from mentorkit.model import QuestionType

    files = []
    for survey in (s for s in project.program.surveys if s.id in ("midpoint", "conclusion")):
        target = folder / f"answers-{survey.id}.csv"
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["email", *(q.id for q in survey.questions)])
            for n, (_name, mail, _role, _group) in enumerate(ROSTER):
                cells = []
                for q in survey.questions:
                    options = answer_options(q, project.program.goals)
                    cells.append(f"Qzanswer {n}" if q.type == QuestionType.text else
                                 options[n % len(options)].key if options else "")
                writer.writerow([mail, *cells])
        files.append(target)
    return files


def _pdf_text(pdf: bytes, folder: Path, name: str) -> str:
    pdftotext = need_tool("pdftotext")
    path = folder / name
    path.write_bytes(pdf)
    return subprocess.run([pdftotext, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _everything(program: Path, with_pdfs: bool = False) -> dict[str, str]:
    """Name -> text of every output a participant or the team reads (print HTML in place of the PDFs, but
    `with_pdfs`: the checklist and a workbook as real PDFs too)."""
    from mentorkit import ics, mail
    from mentorkit.exports import export_surveys
    from mentorkit.i18n import program_language
    from mentorkit.kit import certificate_html
    from mentorkit.matching import match_files
    from mentorkit.printing import document_html, print_values
    from mentorkit.report import build_report, render_html
    from mentorkit.runbook import template_values
    from mentorkit.site import render_pages
    from mentorkit.stamp import build_date

    project = load_program(program)
    context = context_of(project)
    lang = program_language(project.program, project.root)
    out: dict[str, str] = {f"page {name}": text for name, text in render_pages(project, context).items()}
    values = print_values(project, context)
    for doc in context.documents:
        html = document_html(project, doc, values)
        out[f"print {doc.name}"] = "\n".join(html) if isinstance(html, tuple) else html
    people = [SimpleNamespace(name=n, email=e, role=r, group=g, row=i + 2) for i, (n, e, r, g) in enumerate(ROSTER)]
    out["certificate"] = certificate_html(project, values, people[1])
    out["runbook"] = values["env"].get_template("print/runbook.html.j2").render(
        values, runbook=template_values(project.program, project.plan, lang), title="Qz")
    stamp = build_date(None, project.program.program.starts)
    out["calendar.ics"] = ics.calendar_bytes(project, stamp).decode("utf-8")
    out["organiser.ics"] = ics.organiser_bytes(project, stamp).decode("utf-8")
    out["meetings.ics"] = ics.personal_bytes(project, "Ben Q", "ben-q", ["Ada Q"], stamp).decode("utf-8")
    for name, data in mail.render_drafts(project, people[1], [people[0]]).items():
        message = email.message_from_bytes(data, policy=policy.default)
        out[f"mail {name}"] = f"{message['subject']}\n{message.get_content()}"
    for fmt in ("xlsform", "qualtrics"):
        for name, data in export_surveys(project.program, fmt, lang).items():
            out[f"{fmt} {name}"] = _xlsx_text(data) if name.endswith(".xlsx") else data.decode("utf-8")
    folder = program.parent
    report = build_report(project.program, _answers(project, folder), None, quotes=True)
    out["report"] = render_html(project.program, report, project.root)
    matching = folder / "matching.yml"
    labels = iter(range(1, 100))
    example = (ROOT / "examples" / "matching" / "program.yml").read_text(encoding="utf-8")
    example = re.sub(r"(label|title|organisation): [^#\n]*", lambda m: f"{m.group(1)}: Qzmatch{next(labels)} ", example)
    example = re.sub(r"  roles:\n(    .*\n)+", "", example)
    example = example.replace("  type: reverse", f"  type: reverse\n  language: {project.program.program.language}")
    terms = yaml.safe_load(program.read_text(encoding="utf-8")).get("terms")
    matching.write_text(example + (yaml.safe_dump({"terms": terms}, allow_unicode=True) if terms else ""),
                        encoding="utf-8")
    out["matching explanation"] = match_files(ROOT / "examples" / "registrations.csv", matching).explanation
    if with_pdfs:
        from conftest import render_documents

        docs = [d for d in context.documents if d.name in ("first-meeting-checklist.pdf", "workbook-mentor.pdf")]
        for name, pdf in render_documents(project, docs, jobs=0).items():
            out[f"pdf {name}"] = _pdf_text(pdf, folder, name)
    return out


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    return "\n".join(" | ".join(str(c) for c in row if c is not None) for sheet in book for row in sheet.iter_rows(
        values_only=True))


def _readable(name: str, text: str) -> str:
    """What a reader sees of an output: tags, link targets, file names, e-mail addresses, CSS and the
    names of formats' own fields left out."""
    text = re.sub(r"<(style|script)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>|\]\([^)]*\)|\{\s*[#:.][^}]*\}|\b\w+[-_][\w-]+\b|https?://\S+|\S+@\S+|\b[\w.-]+\.(?:pdf|ics|md|csv|yml|xlsx)\b",
                  " ", text)
    if name.endswith(".ics"):  # what a calendar shows: summaries, descriptions, categories, the calendar's name
        text = "\n".join(line.split(":", 1)[1] for line in text.replace("\r\n ", "").splitlines()
                         if re.match(r"(SUMMARY|DESCRIPTION|CATEGORIES|LOCATION|X-WR-CALNAME|X-WR-CALDESC)[;:]", line))
    if name.startswith("xlsform"):  # the sheets' own column names and types are the format's, not words
        text = re.sub(r"\b(type|name|label|hint|required|appearance|list_name|form_title|form_id|select_one|"
                      r"select_multiple|likert|multiline|yes_no|yes|no|text|note)\b", " ", text)
    if name.startswith("qualtrics"):
        text = re.sub(r"\[\[[^\]]*\]\]", " ", text)
    if name == "matching explanation":  # the registrations' answers and column names are the team's data
        text = re.sub(r"`[^`]*`|\*\*[^*]*\*\*|\([^()]*:[^()]*\)|:[^.\n]*(offers|wants)[^.\n]*", " ", text)
    return re.sub(r"\bmentorkit (match|report|kit|workbooks|build)\b[^;.\n]*|\bprogram\.yml\b|\borganiser:", " ", text)


def _english_left(tag: str, texts: dict[str, str]) -> list[str]:
    words = ENGLISH - ALSO_A_WORD.get(tag, set())
    found = []
    for name, text in texts.items():
        for line in _readable(name, text).splitlines():
            hits = sorted({w for w in re.findall(r"[^\W\d_][\w']*", line) if w.lower() in words})
            if hits:
                found.append(f"{name}: {', '.join(hits)}: {' '.join(line.split())[:160]}")
    return found


@pytest.fixture(scope="module", params=LANGUAGES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    tag = request.param
    return tag, _everything(_marked(tmp_path_factory.mktemp(f"program-{tag}"), tag))


def test_no_english_interface_text_in_anything_a_reader_sees(built):
    tag, texts = built
    left = _english_left(tag, texts)
    assert not left, f"{len(left)} lines with English in a {tag} program:\n" + "\n".join(left[:40])


def test_dates_and_numbers_are_in_the_language(built):
    tag, texts = built
    everything = "\n".join(_readable(n, t) for n, t in texts.items())
    month = {"fr": "février", "de": "Februar", "es": "febrero"}[tag]
    assert month in everything and "February" not in everything
    assert not re.search(r"\b\d+\.\d\b", _readable("report", texts["report"]) + texts["matching explanation"]), \
        "decimals are written with a comma in French, German and Spanish"


def test_the_printables_and_the_report_declare_the_language(built):
    tag, texts = built
    for name, text in texts.items():
        if name.startswith("print ") or name in ("certificate", "runbook", "report"):
            assert re.search(rf'<html lang="{tag}"', text), name


def test_exports_show_our_words_in_the_language_and_keep_their_keys(built):
    tag, texts = built
    yes = {"fr": "Oui", "de": "Ja", "es": "Sí"}[tag]
    required = language(tag).gettext("(required)")
    assert f"yes_no | yes | {yes}" in texts["xlsform midpoint.xlsx"]  # the key stays 'yes' for reading back
    assert required in texts["qualtrics conclusion.txt"] and "(required)" not in texts["qualtrics conclusion.txt"]


# --- terms: -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def german_coach(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A German program whose mentors are called Coach (terms: {mentor: Coach}), everything it writes."""
    return _everything(_marked(tmp_path_factory.mktemp("coach"), "de", {"mentor": "Coach"}), with_pdfs=True)


def test_a_german_renaming_reaches_every_form_of_the_word(german_coach):
    left = [f"{name}: {match.group(0)} in '{' '.join(text[max(0, match.start() - 40):match.end() + 40].split())}'"
            for name, text in german_coach.items()
            for match in re.finditer(r"(?<![\w/#-])Mentor(?:in|innen|en|s)?\b(?!\.)", _readable(name, text))]
    assert not left, "\n".join(left[:30])
    everything = "\n".join(german_coach.values())
    assert "Coach" in german_coach["pdf workbook-mentor.pdf"] and "Coach" in german_coach["calendar.ics"]
    for phrase in ("Ihr Coach", "des Coachs", "Coachs", "Reverse-Coach"):  # the pairs, the genitive, the plural
        assert phrase in everything, phrase
    assert not re.search(r"\bMentorin(nen)?\b", everything)


def test_a_german_renaming_to_a_feminine_word_takes_its_articles_and_cases():
    german = language("de").with_terms({"mentee": SimpleNamespace(one="Nachwuchskraft", other="Nachwuchskräfte",
                                                                  gender="f", forms={}),
                                        "meeting": SimpleNamespace(one="Sitzung", other="Sitzungen", gender="f",
                                                                   forms={})})
    cases = {"Ihr Mentee": "Ihre Nachwuchskraft", "Die Rolle des Mentees": "Die Rolle der Nachwuchskraft",
             "mit Ihrem Mentee": "mit Ihrer Nachwuchskraft", "einen neuen Mentee": "eine neue Nachwuchskraft",
             "Mentoren und Mentees": "Mentoren und Nachwuchskräfte", "beim ersten Treffen": "bei der ersten Sitzung",
             "zwischen den Treffen": "zwischen den Sitzungen", "des Treffens": "der Sitzung",
             "Erstes Treffen": "Erste Sitzung", "jedes Treffen": "jede Sitzung"}
    assert {ours: german.text(ours) for ours in cases} == cases


def test_german_pairs_of_names_become_one_phrase_in_the_team_s_word():
    patin = language("de").with_terms({"mentor": SimpleNamespace(one="Patin", other="Patinnen", gender="f", forms={})})
    coach = language("de").with_terms({"mentor": "Coach"})
    assert coach.text("Die Mentorin oder der Mentor hört zu.") == "Der Coach hört zu."
    assert coach.text("eine andere Mentorin oder einen anderen Mentor") == "einen anderen Coach"
    assert coach.text("die Rolle der Mentorin oder des Mentors") == "die Rolle des Coachs"
    assert coach.text("Gute Mentorinnen und Mentoren fragen nach.") == "Gute Coachs fragen nach."
    assert patin.text("Ihre Mentorin oder Ihr Mentor") == "Ihre Patin"
    assert patin.text("die Rolle der Mentorin oder des Mentors") == "die Rolle der Patin"
    assert patin.text("Sagen Sie es Ihrem Mentor.") == "Sagen Sie es Ihrer Patin."


def test_german_compounds_are_joined_with_a_hyphen_or_named_in_a_warning(caplog):
    german = language("de").with_terms({"programme": SimpleNamespace(one="Initiative", other="Initiativen",
                                                                     gender="f", forms={}),
                                        "goal": "Vorhaben"})
    with caplog.at_level(logging.WARNING, logger="mentorkit"):
        assert german.text("Wenden Sie sich an das Programmteam.") == "Wenden Sie sich an das Initiative-Team."
        assert german.text("SMART-Ziele") == "SMART-Vorhaben"
        assert german.text("Ein Etappenziel") == "Ein Etappenziel"
    assert 'terms: goal: "Etappenziel"' in caplog.text and "forms:" in caplog.text


def test_an_article_whose_case_is_not_clear_is_named_in_a_warning_and_forms_settle_it(caplog):
    def termin(forms: dict[str, str]) -> Any:
        return language("de").with_terms({"meeting": SimpleNamespace(one="Termin", other="Termine", gender="m",
                                                                     forms=forms)})

    with caplog.at_level(logging.WARNING, logger="mentorkit"):
        assert termin({}).text("Im Treffen und beim Treffen") == "Im Termin und beim Termin"  # dative: clear
        assert termin({}).text("Wir verschieben dieses Treffen.") == "Wir verschieben dieses Termin."
    assert 'terms: meeting: the case of "dieses Treffen" is not clear' in caplog.text and "forms:" in caplog.text
    settled = termin({"verschieben dieses Treffen": "verschieben diesen Termin"})
    assert settled.text("Wir verschieben dieses Treffen.") == "Wir verschieben diesen Termin."


def test_french_renaming_reaches_the_other_names_and_the_articles():
    french = language("fr").with_terms({"mentee": SimpleNamespace(one="filleul", other=None, gender="m", forms={}),
                                        "goal": SimpleNamespace(one="but", other=None, gender="m", forms={}),
                                        "mentor": SimpleNamespace(one="marraine", other=None, gender="f", forms={})})
    cases = {"La personne mentorée choisit.": "Le filleul choisit.", "un·e mentoré·e": "un filleul",
             "les mentoré·es": "les filleuls", "de la personne mentorée": "du filleul",
             "l'objectif": "le but", "de l'objectif": "du but", "d'objectifs": "de buts",
             "le mentor": "la marraine", "au mentor": "à la marraine", "ce mentor": "cette marraine",
             "les mentors": "les marraines", "Le meilleur mentor": "La meilleure marraine",
             "des mentors expérimentés": "des marraines expérimentées", "sans qu'un mentor": "sans qu'une marraine",
             "le mentor partage": "la marraine partage"}
    assert {ours: french.text(ours) for ours in cases} == cases
    assert language("fr").with_terms({"mentor": "accompagnateur"}).text("le rôle du mentor") == \
        "le rôle de l'accompagnateur"
    rendez_vous = language("fr").with_terms({"meeting": SimpleNamespace(one="rendez-vous", other="rendez-vous",
                                                                        gender="m", forms={})})
    assert rendez_vous.text("Avant la première rencontre, les rencontres planifiées") == \
        "Avant le premier rendez-vous, les rendez-vous planifiés"


def test_spanish_renaming_takes_the_articles_of_its_gender():
    spanish = language("es").with_terms({"mentor": SimpleNamespace(one="madrina", other=None, gender="f", forms={}),
                                         "meeting": SimpleNamespace(one="encuentro", other=None, gender="m",
                                                                    forms={})})
    cases = {"el mentor": "la madrina", "Los mentores": "Las madrinas", "del mentor": "de la madrina",
             "la reunión": "el encuentro", "las reuniones": "los encuentros", "a la reunión": "al encuentro",
             "la primera reunión": "el primer encuentro", "reuniones programadas": "encuentros programados",
             "la reunión termina": "el encuentro termina"}
    assert {ours: spanish.text(ours) for ours in cases} == cases


def test_french_renaming_in_a_whole_program(tmp_path):
    from mentorkit.site import render_pages

    terms = {"mentee": {"one": "filleul", "gender": "m"}}
    project = load_program(_marked(tmp_path, "fr", terms))
    pages = "\n".join(render_pages(project, context_of(project)).values())
    assert "mentoré" not in pages.lower() and "personne mentorée" not in pages
    assert "le filleul" in pages.lower() and "filleuls" in pages


def test_the_plural_of_a_type_s_role_name_comes_from_the_catalogue():
    def plurals(tag: str) -> list[str]:
        lang = language(tag)
        return [lang.plural(lang.gettext(label)) for label in ("Reverse mentor", "Senior mentee", "Mentor")]

    assert plurals("en") == ["Reverse mentors", "Senior mentees", "Mentors"]
    assert plurals("fr") == ["Mentors juniors", "Mentoré·es seniors", "Mentors"]
    assert plurals("es") == ["Mentores inversos", "Mentees séniores", "Mentores"]
    assert plurals("de") == ["Reverse-Mentorinnen und -Mentoren", "Mentees aus der Führungsebene",
                             "Mentorinnen und Mentoren"]
    coach = language("de").with_terms({"mentor": "Coach"})
    assert coach.plural(coach.gettext("Reverse mentor")) == "Reverse-Coachs"
    assert language("fr").plural("responsable de groupe") == "responsables de groupe"


def test_every_catalogue_declares_how_its_text_names_people():
    from mentorkit.i18n import _key_words

    german, french = _key_words(language("de")), _key_words(language("fr"))
    assert german["mentor"].feminine == ("Mentorin", "Mentorinnen") and german["mentee"].feminine is None
    assert french["mentee"].feminine == ("personne mentorée", "personnes mentorées")
    assert _key_words(language("en"))["mentor"].feminine is None and _key_words(language("es"))["mentor"].feminine is None


def test_a_printable_s_title_in_a_pdf_reader_is_written_as_the_language_writes_it(tmp_path):
    """A reader's title bar shows 'document – programme' as the German catalogue writes it (with an
    en dash), both for a printable joined from pieces it shares with a workbook (the checklist) and
    for one laid out whole (a survey: the workbooks hold the surveys as a piece of their own)."""
    from conftest import render_documents
    from pypdf import PdfReader

    from mentorkit.plan import documents

    project = load_program(_marked(tmp_path, "de"))
    wanted = ("first-meeting-checklist.pdf", "survey-midpoint.pdf", "workbook-mentor.pdf")
    docs = [d for d in documents(project.program) if d.name in wanted]
    pdfs = render_documents(project, docs, jobs=0)
    programme = project.program.program.title
    assert len(docs) == 3
    for d in (d for d in docs if d.kind != "workbook"):
        title = PdfReader(io.BytesIO(pdfs[d.name])).metadata.title
        assert title == f"{d.title} – {programme}", (d.name, title)
