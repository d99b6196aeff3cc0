#!/usr/bin/env bash
# Run the suite the way the backend team does it locally.
set -euo pipefail
cd "$(dirname "$0")/.."

pytest tests/unit -q
python -m pytest tests/integration -x --maxfail=3 && python -m pytest tests/e2e -m e2e
if [ "${RUN_CRITICAL:-1}" = "1" ]; then
    py.test tests/mission_critical
fi
