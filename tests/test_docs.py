"""docs/taxonomy-change.md shows what the commands really print (scripts/build_docs.py regenerates it)."""

import importlib.util

import pytest

from classifier.pipeline.relabel import cleanlab_available
from tests.conftest import ROOT


@pytest.mark.skipif(not cleanlab_available(), reason="the document shows cleanlab's scores (dev extra)")
def test_taxonomy_change_doc_matches_the_commands_output():
    spec = importlib.util.spec_from_file_location("build_docs", ROOT / "scripts" / "build_docs.py")
    build_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_docs)
    doc = build_docs.DOC.read_text(encoding="utf-8")
    assert "<!-- planted -->" in doc and doc.count("```console") >= 3
    assert build_docs.render(doc) == doc, "docs/taxonomy-change.md is out of date: run python scripts/build_docs.py"
