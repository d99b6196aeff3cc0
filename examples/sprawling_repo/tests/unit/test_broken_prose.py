from chatapp.tools.lookup import DocumentIndex

This module tests the document index used by the lookup tool.
Updated by the SSOT remediation script.


def test_search_finds_document():
    assert DocumentIndex({"a": "alpha beta"}).search("beta") == ["a"]


def test_get_raises_for_unknown():
    index = DocumentIndex({})
    try:
        index.get("missing")
    except KeyError:
        pass
