import pytest
import yaml

from classifier.errors import TaxonomyError
from classifier.taxonomy.schema import load_taxonomy, parse_taxonomy, parse_theme_list


def test_default_taxonomy_matches_the_guide():
    tax = load_taxonomy()
    assert tax.id == "stage1-themes" and tax.version == "1"
    assert tax.ids == [
        "conduct",
        "communication",
        "decision_making",
        "financial",
        "support",
        "quality",
        "delay",
        "family_time",
        "assessment_accuracy",
        "access",
    ]
    assert tax.label_of("financial") == "Financial Assistance (incl. missing savings)"
    assert not tax.is_hierarchical


def _tax(**over):
    data = {"id": "t", "version": 1, "themes": [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]}
    data.update(over)
    return data


@pytest.mark.parametrize(
    "data, message",
    [
        (_tax(themes=[{"id": "a", "label": "A"}, {"id": "a", "label": "A again"}]), "duplicate theme id 'a'"),
        (_tax(themes=[{"id": "a"}]), "missing required field 'label'"),
        (_tax(themes=[{"id": "a", "label": "A", "colour": "red"}]), "unknown key(s) ['colour']"),
        (_tax(owner="me"), "unknown key(s) ['owner']"),
        ({"id": "t", "themes": [{"id": "a", "label": "A"}]}, "missing required field 'version'"),
        (_tax(themes=[{"id": "a", "label": "A", "parent": "zzz"}]), "unknown parent 'zzz'"),
        (
            _tax(themes=[{"id": "a", "label": "A", "parent": "b"}, {"id": "b", "label": "B", "parent": "a"}]),
            "parent cycle",
        ),
        (_tax(themes=[]), "non-empty list"),
        (_tax(themes=[{"id": "a;b", "label": "A"}]), "must not contain"),
    ],
)
def test_invalid_taxonomies_name_the_problem(data, message):
    with pytest.raises(TaxonomyError) as err:
        parse_taxonomy(data, source="x.yml")
    assert message in str(err.value)


def test_file_errors(tmp_path):
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("id: t\nthemes: [\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(bad)


def test_hash_changes_with_content_and_round_trips(tmp_path):
    tax = load_taxonomy()
    path = tmp_path / "copy.yml"
    path.write_text(yaml.safe_dump(tax.to_dict()), encoding="utf-8")
    assert load_taxonomy(path).content_hash == tax.content_hash
    data = tax.to_dict()
    data["themes"][0]["label"] = "Conduct"
    assert parse_taxonomy(data).content_hash != tax.content_hash


def test_hierarchy_leaves_and_ancestors():
    tax = parse_taxonomy(
        {
            "id": "two",
            "version": 1,
            "themes": [
                {"id": "delay", "label": "Delay"},
                {"id": "delay/decision", "label": "Make a decision", "parent": "delay"},
                {"id": "conduct", "label": "Staff conduct"},
                {"id": "conduct/rude", "label": "Rude", "parent": "conduct"},
            ],
        }
    )
    assert tax.is_hierarchical
    assert tax.leaf_ids == ["delay/decision", "conduct/rude"]
    assert tax.with_ancestors(["conduct/rude", "delay/decision"]) == [
        "conduct/rude",
        "conduct",
        "delay/decision",
        "delay",
    ]


def test_parse_theme_list():
    assert parse_theme_list(" conduct; delay ;conduct;;") == ["conduct", "delay"]
    assert parse_theme_list("") == [] and parse_theme_list(None) == [] and parse_theme_list(float("nan")) == []


def test_a_label_without_its_bracketed_aside_names_the_theme():
    from classifier.taxonomy.schema import load_taxonomy, resolve_theme_names

    tax = load_taxonomy("stage1-themes")
    assert resolve_theme_names([["Financial Assistance", "poor communication"]], tax) == [
        ["financial", "communication"]
    ]
