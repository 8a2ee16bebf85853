from geo.i18n import LANGUAGES, STRINGS, t


def test_every_string_has_both_languages():
    missing = [k for k, v in STRINGS.items() for lang in LANGUAGES if not v.get(lang)]
    assert missing == []


def test_fallback_and_format():
    assert t("no.such.key", "lv") == "no.such.key"
    assert t("app.title", "en") == "School network planner"
