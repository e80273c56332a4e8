"""
Pauses for the fault tests, off unless the environment asks for one.

The tests kill a worker at a precise step of a task (after its commit and
before its email, for one) to prove that nothing is lost or sent twice. A
worker started with SCOMM_FAULT_PAUSE=<step> stops at that step: it writes
SCOMM_FAULT_DIR/<step>.<pid> to say it is there, then sleeps
SCOMM_FAULT_PAUSE_SECONDS (30) while the test kills it. Nothing else sets it.
"""

import os
import time
from pathlib import Path


def pause_at(step: str) -> None:
    """Stop here a while when the fault tests ask for this step; return at once otherwise."""
    if os.environ.get("SCOMM_FAULT_PAUSE") != step:
        return
    folder = os.environ.get("SCOMM_FAULT_DIR")
    if folder:
        Path(folder, f"{step}.{os.getpid()}").write_text(str(time.time()))
    time.sleep(float(os.environ.get("SCOMM_FAULT_PAUSE_SECONDS", "30")))
