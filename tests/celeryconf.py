"""
Changing the Celery app's settings in a test. The app reads Django's
settings under the CELERY_ namespace, and Celery 5.6 looks a changed
setting up under that prefixed name: a test sets both names.
"""


def celery_set(app, **values) -> dict:
    """Set each setting (e.g. task_always_eager=True); returns the values before."""
    before = {key: getattr(app.conf, key) for key in values}
    for key, value in values.items():
        setattr(app.conf, key, value)
        setattr(app.conf, f"CELERY_{key.upper()}", value)
    return before
