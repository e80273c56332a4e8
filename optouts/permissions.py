"""
Who may act on a case: admins everywhere; sheriff's office staff and county
counsel only for the jurisdictions they belong to. Reading the public parts
needs no account.
"""

from jurisdictions.models import Membership

STAFF = Membership.Role.STAFF
COUNSEL = Membership.Role.COUNSEL


def roles_by_jurisdiction(user) -> dict[int, set[str]]:
    """The user's roles per jurisdiction id, read once per request and kept on the user."""
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_scomm_roles", None)
    if cached is None:
        cached = {}
        for jurisdiction_id, role in Membership.objects.filter(user=user).values_list(
            "jurisdiction_id", "role"
        ):
            cached.setdefault(jurisdiction_id, set()).add(role)
        user._scomm_roles = cached
    return cached


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_superuser)


def can_act(user, jurisdiction_id: int, roles=(STAFF,)) -> bool:
    if is_admin(user):
        return True
    return bool(roles_by_jurisdiction(user).get(jurisdiction_id, set()) & set(roles))


def can_see_private(user, jurisdiction_id: int) -> bool:
    """Internal notes and unsent drafts: the jurisdiction's own staff and counsel, and admins."""
    return can_act(user, jurisdiction_id, (STAFF, COUNSEL))


def visibility_scope(user) -> str:
    """
    A name for what this user may see beyond the public: users with the same
    scope see the same cases and notes, so pages built for one may be served
    to another (core/fragments.py).
    """
    if is_admin(user):
        return "admin"
    own = sorted(j for j, roles in roles_by_jurisdiction(user).items() if roles & {STAFF, COUNSEL})
    return "members:" + ",".join(map(str, own)) if own else "public"
