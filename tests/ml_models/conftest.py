"""Model tests import their pipelines from `model_flows.py` beside this file, which
spawned processes (the concurrent-runs test) import too: this directory goes on
`sys.path`, which they inherit."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
