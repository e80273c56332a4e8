from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "correspondence"
    verbose_name = "Correspondence and letters"

    def ready(self):
        # A case shows its correspondence, their files and its letters (the
        # public case file too): every row saved or deleted, by a service or
        # in the admin, touches its case (optouts.services.touch).
        from optouts.services.touch import connect_case_touch

        from .models import Attachment, Correspondence, Letter

        connect_case_touch(Correspondence)
        connect_case_touch(Letter)
        connect_case_touch(Attachment, case_of=_attachment_case)


def _attachment_case(attachment) -> int | None:
    """The case of an attachment's correspondence, read only when not already in memory."""
    from .models import Correspondence

    if type(attachment).correspondence.is_cached(attachment):
        return attachment.correspondence.request_id
    return (
        Correspondence.objects.filter(pk=attachment.correspondence_id)
        .values_list("request_id", flat=True)
        .first()
    )
