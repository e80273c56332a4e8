"""
Mail in and out of a case (DESIGN.md, "Letters and mail").

    addresses   the reply address of a case, with a token no one can guess or forge
    outbound    a letter sent by email: queued, claimed under lock, sent once
    parsing     a received message read with the email package, never by hand
    inbound     a received message matched to its case, stored, or held with why
    imap        the IMAP mailbox read on Celery beat's schedule
    views       sending a letter by email, making a reply public, the original .eml
"""
