import pytest

from archive import settings
from archive.errors import ConfigError


def test_defaults_apply_when_nothing_is_set(tmp_path):
    values = settings.load(tmp_path, environ={})
    assert values["identifier_prefix"] == "KT"
    assert values["languages"] == "vie+eng"


def test_environment_overrides_the_toml_file_and_a_mapping_overrides_both(tmp_path):
    (tmp_path / "archive.toml").write_text('identifier_prefix = "DL"\nworkers = 3\n')
    values = settings.load(tmp_path, environ={"ARCHIVE_WORKERS": "2"})
    assert (values["identifier_prefix"], values["workers"]) == ("DL", 2)
    values = settings.load(tmp_path, {"workers": 1}, environ={"ARCHIVE_WORKERS": "2"})
    assert values["workers"] == 1


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('identifer_prefix = "KT"', "unknown setting 'identifer_prefix'"),
        ('identifier_prefix = "kt-1"', "capital letters"),
        ('languages = "vietnamese"', "Tesseract language codes"),
        ("workers = -1", "0 or more"),
        ('workers = "two"', "whole number"),
        ("max_image_pixels = 0", "positive"),
        ('default_access = "secret"', "public or restricted"),
        ("workers = ", "archive.toml"),
        ('search_engine = "solr"', "must be one of whoosh, postgresql"),
        ('search_engine = "postgresql"', "needs a PostgreSQL database_url"),
        (
            'search_engine = "postgresql"\ndatabase_url = "sqlite:////tmp/a.db"',
            "needs a PostgreSQL database_url",
        ),
    ],
)
def test_a_bad_setting_is_refused_with_its_reason(tmp_path, toml, message):
    (tmp_path / "archive.toml").write_text(toml)
    with pytest.raises(ConfigError, match=message):
        settings.load(tmp_path, environ={})


def test_the_toml_template_names_every_setting_and_loads_as_the_defaults(tmp_path):
    (tmp_path / "archive.toml").write_text(settings.toml_template())
    assert all(f"# {s.name} = " in settings.toml_template() for s in settings.SETTINGS)
    assert settings.load(tmp_path, environ={}) == {s.name: s.default for s in settings.SETTINGS}


def test_the_tag_threshold_default_is_the_one_the_tagging_rules_were_tuned_for():
    from archive import tagging

    assert settings.BY_NAME["tag_threshold"].default == tagging.THRESHOLD


@pytest.mark.parametrize(("given", "expected"), [("false", False), ("0", False), ("True", True)])
def test_a_yes_or_no_setting_reads_the_environment(tmp_path, given, expected):
    values = settings.load(tmp_path, environ={"ARCHIVE_IMAGES_AT_INGEST": given})
    assert values["images_at_ingest"] is expected


def test_a_yes_or_no_setting_refuses_other_words(tmp_path):
    with pytest.raises(ConfigError, match="images_at_ingest must be true or false"):
        settings.load(tmp_path, environ={"ARCHIVE_IMAGES_AT_INGEST": "maybe"})
