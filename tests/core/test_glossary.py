"""One word per thing and French typography (docs/glossaire.md), in what users
read: the text of every template and every string of the code that is not a
docstring. The guide's own sentences that the glossary lists are spared."""

import io
import os
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossaire.md"
# Code, tools and what only operators read (settings, metrics, load test) are not screens.
SKIPPED_DIRS = {
    ".venv",
    "node_modules",
    "migrations",
    "tests",
    "bench",
    "static",
    ".git",
    "var",
    "deploy",
    "config",
    "ops",
}

TEMPLATE_CODE = re.compile(
    r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|<[^>]*>", re.S
)
# Text a tag passes on to the page: {% include … with title="…" %}, {% firstof "…" as label %}.
TAG = re.compile(r"\{%.*?%\}", re.S)
QUOTED_TEXT = re.compile(r'"([^"]*\s[^"]*)"')
ATTRIBUTE_TEXT = re.compile(r'\b(?:title|aria-label|placeholder|alt|data-label|value)="([^"{]*)"')

# A sentence holds a space and something else than lowercase names ("openid email siret").
SENTENCE = re.compile(r"(?=.*\S\s+\S)(?![a-z_ ]+$)", re.S)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]")
LETTER = "A-Za-zÀ-ÖØ-öø-ÿŒœ"
TYPOGRAPHY = {
    "apostrophe droite (’)": re.compile(rf"[{LETTER}]'[{LETTER}]"),
    # \x20 is the ordinary space, which French typography replaces by U+00A0 there.
    "espace ordinaire avant une ponctuation haute": re.compile(r"\w\x20([:;?»€]|!(?!=))(?=$|[\s<\"'),.])", re.M),
    "espace ordinaire après un guillemet ouvrant": re.compile(r"«\x20"),
}


def glossary_section(title: str) -> list[str]:
    text = GLOSSARY.read_text()
    section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [line[2:].strip() for line in section.splitlines() if line.startswith("- ")]


def forbidden_words() -> dict[str, re.Pattern[str]]:
    return {
        f"mot interdit {line}": re.compile(line.strip("`"), re.IGNORECASE)
        for line in glossary_section("Mots interdits")
    }


def readable_text_of_template(source: str) -> str:
    """What a template shows: its text outside tags and code, the texts its tags pass on, its attributes' text."""
    passed_on = [text for tag in TAG.findall(source) for text in QUOTED_TEXT.findall(tag)]
    return "\n".join([TEMPLATE_CODE.sub(" ", source), *passed_on, *ATTRIBUTE_TEXT.findall(source)])


def strings_of_python(source: str) -> str:
    """The sentences of a module: its string literals holding a space (not names like "email" or
    "accounts:login"), f-strings' literal parts included, docstrings left out."""
    found, previous = [], None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        docstring = previous is None or previous.type in (tokenize.INDENT, tokenize.DEDENT, tokenize.NEWLINE)
        if token.type == tokenize.STRING and not docstring:
            found.append(re.sub(r"(?is)^[a-z]*('''|\"\"\"|'|\")(.*)\1$", r"\2", token.string))
        elif token.type == tokenize.FSTRING_MIDDLE:
            found.append(token.string)
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token
    return "\n".join(PLACEHOLDER.sub("", text) for text in found if SENTENCE.search(text))


def offences(where: object, text: str, rules: dict[str, re.Pattern[str]], exempt: list[str]) -> list[str]:
    for sentence in exempt:
        text = text.replace(sentence, "")
    return [
        f"{where}: {rule} in {match.group(0)!r}" for rule, pattern in rules.items() for match in pattern.finditer(text)
    ]


def shipped_files(suffixes: tuple[str, ...]):
    # Skipped directories are pruned while walking: .venv and node_modules alone
    # hold tens of thousands of files.
    for directory, subdirectories, names in os.walk(ROOT):
        subdirectories[:] = sorted(name for name in subdirectories if name not in SKIPPED_DIRS)
        for name in sorted(names):
            path = Path(directory, name)
            if path.suffix in suffixes:
                yield path.relative_to(ROOT), path


def rules() -> dict[str, re.Pattern[str]]:
    return {**forbidden_words(), **TYPOGRAPHY}


# The samples spell the straight apostrophe \x27 and the ordinary space \x20 where
# they matter, so that no typography sweep of the code ever "corrects" them.
def test_the_check_finds_words_and_typography_and_spares_code_and_the_guide():
    source = (
        '<p class="mail" title="Voir l\x27historique">{{ account.email }} Un mail vous a été envoyé. Valider\x20?</p>'
        "{% if a != b %}{% include 'x.html' with text=\"Aucun compte n\x27est bloqué\" %}{% endif %}"
        "<p>Un mail de récupération de mot de passe a été envoyé au mail du compte. «\u00a0OK\u00a0»\u00a0!</p>"
    )
    exempt = ["Un mail de récupération de mot de passe a été envoyé au mail du compte."]
    found = offences("x", readable_text_of_template(source), rules(), exempt)
    assert sorted(found) == sorted(
        [
            "x: mot interdit `\\bmails?\\b` in 'mail'",
            "x: espace ordinaire avant une ponctuation haute in 'r\x20?'",
            'x: apostrophe droite (’) in "n\x27e"',
            'x: apostrophe droite (’) in "l\x27h"',
        ]
    )


def test_python_strings_are_read_but_not_docstrings():
    source = (
        'def f():\n    """Don\x27t read me\x20: a docstring."""\n    return f"{x} n\x27est pas\x20: {y}" + "Un mail"\n'
    )
    text = strings_of_python(source)
    assert "Don" not in text
    assert sorted(m.split(" in ")[0] for m in offences("x", text, rules(), [])) == sorted(
        [
            "x: mot interdit `\\bmails?\\b`",
            "x: apostrophe droite (’)",
            "x: espace ordinaire avant une ponctuation haute",
        ]
    )


def test_templates_and_messages_use_the_glossary_words_and_french_typography():
    exempt = glossary_section("Phrases du guide conservées")
    found = []
    for relative, path in shipped_files((".html", ".txt")):
        if "dev_" not in path.name and "templates" in relative.parts:
            found += offences(relative, readable_text_of_template(path.read_text()), rules(), exempt)
    for relative, path in shipped_files((".py",)):
        found += offences(relative, strings_of_python(path.read_text()), rules(), exempt)
    assert not found, "\n".join(found)


# A heading typed in capitals ("COMPTES LIÉS À PROCONNECT"): the design system
# writes headings in sentence case, and capitals, if wanted, come from the CSS.
CAPITALS_HEADING = re.compile(r"<h[1-6][^>]*>\s*((?:[A-ZÀ-ÖØ-Þ’'-]+\s+){2,}[A-ZÀ-ÖØ-Þ’'-]+)\s*</h[1-6]>")


def test_headings_are_typed_in_sentence_case():
    assert CAPITALS_HEADING.search("<h2 id=x>COMPTES LIÉS À PROCONNECT</h2>")
    assert not CAPITALS_HEADING.search("<h2>Comptes liés à ProConnect</h2><h1>BDC BDC-2026</h1>")
    found = [
        f"{relative}: {match.group(1)}"
        for relative, path in shipped_files((".html",))
        if "templates" in relative.parts
        for match in CAPITALS_HEADING.finditer(path.read_text())
    ]
    assert not found, "\n".join(found)
