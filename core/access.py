"""
Who may see a thing and who may act on it, asked the same way by every view.

The rules themselves (who may see a draft, who acts for a jurisdiction)
belong to the app that owns the thing and come in as predicates: these
helpers only decide what a refusal looks like. Something a person may not
see is a 404, exactly as if it did not exist, so that a private draft is
not revealed by its answer; something they may see but not change is a 403
that says why.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

NOT_FOUND = "No such page."
SIGN_IN = "Sign in to do this."


def object_for_viewer(
    queryset: QuerySet,
    pk: Any,
    *,
    can_view: Callable[[Any], bool] | None = None,
    not_found: str = NOT_FOUND,
):
    """
    The row `pk` of `queryset` if `can_view(row)`; a 404 with `not_found`
    when there is no such row, when `pk` is no id at all, or when the row
    is not for this viewer.
    """
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404(not_found) from None
    if can_view is not None and not can_view(obj):
        raise Http404(not_found)
    return obj


def object_for_actor(
    queryset: QuerySet,
    pk: Any,
    user,
    *,
    allowed: Callable[[Any, Any], bool],
    can_view: Callable[[Any], bool] | None = None,
    not_found: str = NOT_FOUND,
    refused: str = "You may not change this.",
    sign_in: str = SIGN_IN,
):
    """
    The row `pk` of `queryset` if `user` may act on it (`allowed(user, row)`).
    What the user may not see is a 404 first (object_for_viewer); then a
    visitor who is not signed in, or a user without the right, is refused
    with a 403 and the reason.
    """
    obj = object_for_viewer(queryset, pk, can_view=can_view, not_found=not_found)
    require_actor(user, obj, allowed=allowed, refused=refused, sign_in=sign_in)
    return obj


def require_actor(
    user,
    obj,
    *,
    allowed: Callable[[Any, Any], bool],
    refused: str = "You may not change this.",
    sign_in: str = SIGN_IN,
) -> None:
    """
    A 403 unless `user` may act on `obj`, already loaded and known to be
    theirs to see: "sign in" for a visitor, `refused` for anyone else.
    """
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied(sign_in)
    if not allowed(user, obj):
        raise PermissionDenied(refused)


def admin_required(
    permission: str | None = None, *, refused: str = "This page is for administrators."
):
    """
    A view for the site's administrators: signed-in staff holding
    `permission` (any staff when None). A visitor is sent to sign in; anyone
    else signed in is refused with a 403 that says so.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_staff or (permission and not user.has_perm(permission)):
                raise PermissionDenied(refused)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
