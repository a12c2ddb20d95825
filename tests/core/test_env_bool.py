"""Yes/no settings read from the environment (config.settings.env_bool)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool


@pytest.mark.parametrize("word", ["1", "true", "Yes", " on "])
def test_yes_words_mean_yes(monkeypatch, word):
    monkeypatch.setenv("SIGMA_FLAG", word)

    assert env_bool("SIGMA_FLAG") is True


@pytest.mark.parametrize("word", ["0", "false", "NO", "off", ""])
def test_no_words_mean_no(monkeypatch, word):
    monkeypatch.setenv("SIGMA_FLAG", word)

    assert env_bool("SIGMA_FLAG", default=True) is False


def test_an_unset_variable_takes_the_default(monkeypatch):
    monkeypatch.delenv("SIGMA_FLAG", raising=False)

    assert env_bool("SIGMA_FLAG", default=True) is True


@pytest.mark.parametrize("word", ["ture", "oui", "2", "enabled"])
def test_an_unknown_word_stops_the_start_with_a_clear_error(monkeypatch, word):
    monkeypatch.setenv("SIGMA_FLAG", word)

    with pytest.raises(
        ImproperlyConfigured, match=f"SIGMA_FLAG must be one of 1, on, true, yes or 0, false, no, off, not '{word}'"
    ):
        env_bool("SIGMA_FLAG")
