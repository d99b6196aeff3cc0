"""Keyword lookup over a few local documents (the agent's "knowledge base")."""

from __future__ import annotations

import re


class DocumentIndex:
    def __init__(self, documents: dict[str, str]) -> None:
        self._documents = dict(documents)
        self._index: dict[str, set[str]] = {}
        for name, text in self._documents.items():
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                self._index.setdefault(word, set()).add(name)

    def search(self, query: str) -> list[str]:
        words = re.findall(r"[a-z0-9]+", query.lower())
        if not words:
            return []
        hits = set.intersection(*(self._index.get(w, set()) for w in words))
        return sorted(hits)

    def get(self, name: str) -> str:
        return self._documents[name]
