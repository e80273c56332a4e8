"""A private media folder that is full, for the storage tests of letters and correspondence."""

import errno
import os
from pathlib import Path


class _FullDisk:
    """A file whose every write fails as on a full disk, once it has been created."""

    def __init__(self, fd):
        self.fd = fd

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def close(self):
        os.close(self.fd)


def fill_the_disk(monkeypatch) -> None:
    """From now on (until monkeypatch.undo()) a file the storage opens cannot be written."""
    monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _FullDisk(fd))


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
