from chatapp.tools.lookup import DocumentIndex


def test_case_insensitive():
    index = DocumentIndex({"doc": "Pro Plan pricing"})
    assert index.search("pro PLAN") == ["doc"]


def test_unknown_word_finds_nothing():
    assert DocumentIndex({"doc": "text"}).search("missing") == []
