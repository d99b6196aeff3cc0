"""Migrate: LibCST codemods to the canonical patterns, verified by collected tests (`canon migrate`)."""
