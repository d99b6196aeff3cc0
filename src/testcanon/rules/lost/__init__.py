"""Lost tests: commented out, replaced by placeholders, or skipped until fixed (CANON701-703)."""
