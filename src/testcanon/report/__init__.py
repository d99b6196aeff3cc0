"""Report: the self-contained static dashboard (`canon report --html OUT/`)."""
