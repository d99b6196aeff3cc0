from chatapp.tools.lookup import DocumentIndex


def test_accented_words():
    index = DocumentIndex({"menu": "café crème"})
    assert index.search("menu") == []
