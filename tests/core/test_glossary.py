"""One word per thing (docs/glossaire.md): none of the glossary's forbidden
words in what users read, the templates' text and the Python messages, except
the guide's own sentences that the glossary lists."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossaire.md"
PYTHON_APPS = [
    "accounts",
    "access_reviews",
    "audit",
    "core",
    "dashboard",
    "organisations",
    "outbox",
    "region",
    "training",
]
TRANSLATED = re.compile(r"""\{%\s*translate\s+(["'])(.*?)\1""", re.S)
TEMPLATE_CODE = re.compile(
    r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}|<[^>]*>", re.S
)
MESSAGE = re.compile(r"""\b(?:_|gettext|gettext_lazy|ngettext|pgettext)\(\s*(["'])((?:\\.|(?!\1).)*)\1""", re.S)


def glossary_section(title):
    text = GLOSSARY.read_text()
    section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [line[2:].strip() for line in section.splitlines() if line.startswith("- ")]


def forbidden():
    return [re.compile(line.strip("`"), re.IGNORECASE) for line in glossary_section("Mots interdits")]


def readable_text_of_template(source):
    """What a template shows: its translated strings and its text outside tags and code."""
    return "\n".join(match[1] for match in TRANSLATED.findall(source)) + "\n" + TEMPLATE_CODE.sub(" ", source)


def offences(where, text, patterns, exempt):
    for sentence in exempt:
        text = text.replace(sentence, "")
    return [f"{where}: {match.group(0)!r}" for pattern in patterns for match in pattern.finditer(text)]


def test_the_check_finds_a_forbidden_word_and_spares_code_and_the_guide():
    patterns = forbidden()
    source = (
        '<p class="mail">{{ account.email }} {% translate "Un mail vous a été envoyé." %}</p>'
        '{% translate "Un mail de récupération de mot de passe a été envoyé au mail du compte." %}'
    )
    found = offences("x", readable_text_of_template(source), patterns, glossary_section("Phrases du guide conservées"))
    assert found == ["x: 'mail'"]


def test_templates_and_messages_use_the_glossary_words():
    patterns = forbidden()
    exempt = glossary_section("Phrases du guide conservées")
    found = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt") and "dev_" not in path.name:
            found += offences(path.relative_to(ROOT), readable_text_of_template(path.read_text()), patterns, exempt)
    for app in PYTHON_APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            messages = "\n".join(match[1] for match in MESSAGE.findall(path.read_text()))
            found += offences(path.relative_to(ROOT), messages, patterns, exempt)
    assert not found, "\n".join(found)
