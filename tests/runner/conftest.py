from __future__ import annotations

from pathlib import Path

import pytest

from canon_support import write_tree

LAYERED = """
[tool.testcanon]
test_paths = ["tests"]
[tool.testcanon.categories.unit]
paths = ["tests/unit/**"]
layer = 0
[tool.testcanon.categories.smoke]
markers = ["smoke"]
layer = 0
[tool.testcanon.categories.integration]
paths = ["tests/integration/**"]
layer = 1
[tool.testcanon.categories.e2e]
paths = ["tests/e2e/**"]
layer = 2
"""


@pytest.fixture
def layered(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "suite", {
        "pyproject.toml": LAYERED,
        "tests/unit/test_u.py": "def test_u1():\n    pass\n\ndef test_u2():\n    pass\n",
        "tests/test_marked.py": "import pytest\n\n@pytest.mark.smoke\ndef test_smoke():\n    pass\n",
        "tests/integration/test_i.py": "def test_i_ok():\n    pass\n\ndef test_i_bad():\n    assert 1 == 2\n",
        "tests/e2e/test_e.py": "def test_e():\n    pass\n",
    })
