"""
Writing a file (a frozen letter, a case export, an attachment) to the
private storage so that a full or read-only disk leaves nothing behind: the
storage creates the file before it writes to it, and would otherwise keep
an empty one that no row names.
"""

import contextlib
import errno

from django.core.files.base import ContentFile, File
from django.db.models.fields.files import FieldFile

# What a full or read-only disk raises.
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}


def file_store(field_file: FieldFile, content: bytes | File, *, filename: str = "file") -> str:
    """
    Store `content` (bytes, or a file such as an upload, read in chunks)
    under a new server name of `field_file`'s field and
    return that name (set on `field_file`, its row not saved). On an OSError
    the partial file is removed and the error raised.
    """
    storage = field_file.storage
    # Never a name another file holds, since it is removed on error (the names are random).
    for _ in range(5):
        name = field_file.field.generate_filename(field_file.instance, filename)
        if not storage.exists(name):
            break
    else:
        raise FileExistsError(errno.EEXIST, "No free file name", name)
    try:
        stored = storage.save(name, content if isinstance(content, File) else ContentFile(content))
    except OSError:
        with contextlib.suppress(OSError):
            storage.delete(name)
        raise
    field_file.name = stored
    return stored
