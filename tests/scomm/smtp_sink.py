"""
An SMTP server for the fault tests, run as its own process:

    python tests/scomm/smtp_sink.py PORT FOLDER

Each message it accepts is written to FOLDER as one .eml file (written under
another name, then renamed, so a reader never sees half a message). While the
file FOLDER/hold exists, a message's DATA is held unanswered (FOLDER/in-data
says one is waiting): a sender killed then never got "250", and, as a real
mail server does, the sink keeps nothing of it.

Run as a script, away from the project folder: aiosmtpd imports `public`
from the atpublic package, a name the site's own app takes.
"""

import asyncio
import itertools
import os
import sys
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder: Path):
        self.folder = folder
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        hold = self.folder / "hold"
        if hold.exists():
            (self.folder / "in-data").write_text(str(time.time()))
            while hold.exists():
                transport = server.transport
                if transport is None or transport.is_closing():
                    return "451 Sender went away"  # nobody hears it; nothing kept
                await asyncio.sleep(0.05)
            transport = server.transport
            if transport is None or transport.is_closing():
                return "451 Sender went away"
        n = next(self.numbers)
        part = self.folder / f".{os.getpid()}-{n}.part"
        part.write_bytes(envelope.content)
        part.rename(self.folder / f"{time.time():.6f}-{n}.eml")
        return "250 Message accepted for delivery"


def main() -> None:
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    (folder / "ready").write_text("ready")
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
