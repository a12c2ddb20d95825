"""A browser's User-Agent header, read as a person names it: "Firefox sur
Windows". Enough for a list of one's own sessions; nothing relies on it for
security (a client can send any header)."""

import re

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/"),
    ("Opera", r"OPR/|Opera"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
)
SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("ChromeOS", r"CrOS"),
    ("Linux", r"Linux"),
)
UNKNOWN_BROWSER = "Navigateur inconnu"
UNKNOWN_SYSTEM = "système inconnu"


def _first(patterns: tuple[tuple[str, str], ...], user_agent: str) -> str | None:
    return next((name for name, pattern in patterns if re.search(pattern, user_agent)), None)


def describe(user_agent: str) -> str:
    """ "Firefox sur Windows", "Safari sur iOS", "Navigateur inconnu"."""
    browser = _first(BROWSERS, user_agent) or UNKNOWN_BROWSER
    system = _first(SYSTEMS, user_agent) or UNKNOWN_SYSTEM
    return f"{browser} sur {system}"
