"""Taxonomies as data: the schema, and mapping, diffing and migrating labels between taxonomies."""

from classifier.taxonomy.schema import Taxonomy, load_taxonomy, parse_theme_list

__all__ = ["Taxonomy", "load_taxonomy", "parse_theme_list"]
