"""
manage.py receive_mail: one message on standard input, as a mail server's
pipe transport hands it over (Postfix: see README, "Mail").

It is stored and filed on its case, or held for an admin with the reason.
The exit status is 0 whenever the message was stored (even held, even a
duplicate), so the mail server does not bounce it back to its sender; it is
75 (EX_TEMPFAIL, "try again later") only when it could not be stored at all.
"""

import hashlib
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from correspondence.mail.inbound import mail_receive

EX_TEMPFAIL = 75
CHUNK = 1024 * 1024


class Command(BaseCommand):
    help = "Store one email read on standard input and file it on its case, or hold it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            help="The envelope recipient (Postfix: ${original_recipient}); may repeat.",
        )

    def handle(self, *args, recipient, **options):
        stream = getattr(sys.stdin, "buffer", sys.stdin)
        limit = settings.SCOMM_MAIL_MAX_BYTES
        digest, kept, size = hashlib.sha256(), bytearray(), 0
        # Read it all to hash it, keep no more than the limit in memory.
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if len(kept) <= limit:
                kept += chunk[: limit + 1 - len(kept)]
        try:
            row = mail_receive(
                raw=bytes(kept),
                source="pipe",
                envelope_to=recipient,
                size=size,
                sha256=digest.hexdigest(),
            )
        except Exception as exc:  # the one failure the mail server must hear of
            self.stderr.write(f"Not stored: {exc}")
            sys.exit(EX_TEMPFAIL)
        what = "Already stored" if getattr(row, "duplicate", False) else row.get_status_display()
        detail = f" ({row.get_reason_display()})" if row.reason else ""
        self.stdout.write(f"{what}{detail}: {row.message_id}")
