"""
Who may act on a case: admins everywhere; sheriff's office staff and county
counsel only for the jurisdictions they belong to. Reading the public parts
needs no account.
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import peruser
from core.access import object_for_viewer, require_actor
from jurisdictions.models import Membership

from .models import OptOutRequest

STAFF = Membership.Role.STAFF
COUNSEL = Membership.Role.COUNSEL


# The limit bounds a change of memberships made around the models (a bulk
# update, SQL); any other change renews the kept roles at once.
ROLES_SECONDS = 3600


def roles_changed(*, user_ids) -> None:
    """These users' memberships changed: their kept roles are stale (core.peruser)."""
    peruser.changed("roles", user_ids)


@receiver(post_save, sender=Membership, dispatch_uid="optouts-roles-saved")
@receiver(post_delete, sender=Membership, dispatch_uid="optouts-roles-deleted")
def _membership_changed(sender, instance: Membership, **kwargs) -> None:
    # A membership is written by its admin page, the jurisdiction's inline,
    # the demo loader and scripts: the kept roles follow every one of them.
    roles_changed(user_ids=[instance.user_id])


def _read_roles(user) -> dict[int, set[str]]:
    roles: dict[int, set[str]] = {}
    for jurisdiction_id, role in Membership.objects.filter(user=user).values_list(
        "jurisdiction_id", "role"
    ):
        roles.setdefault(jurisdiction_id, set()).add(role)
    return roles


def roles_by_jurisdiction(user) -> dict[int, set[str]]:
    """
    The user's roles per jurisdiction id: kept on the user for the request,
    and in the cache between requests (one round trip, no query) until
    their memberships change.
    """
    if not getattr(user, "is_authenticated", False):
        return {}
    cached = getattr(user, "_scomm_roles", None)
    if cached is None:
        cached = peruser.kept(user, "roles", lambda: _read_roles(user), seconds=ROLES_SECONDS)
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


def may_see_case(user, case: OptOutRequest) -> bool:
    """
    Everyone sees a public case; an unsent draft only its jurisdiction's
    staff and counsel, and admins. The user's roles are asked first: they
    are already in memory, the case's deliveries may not be.
    """
    return can_see_private(user, case.jurisdiction_id) or case.is_public


def _cases(queryset: QuerySet | None) -> QuerySet:
    if queryset is None:
        return OptOutRequest.objects.select_related("jurisdiction", "jurisdiction__state")
    return queryset


def case_for_viewer(pk, user, *, queryset: QuerySet | None = None) -> OptOutRequest:
    """
    The case if this user may see it. Otherwise a 404, as for a case that
    does not exist: a private draft is not revealed by its answer.
    """
    return object_for_viewer(
        _cases(queryset),
        pk,
        can_view=lambda case: may_see_case(user, case),
        not_found="No such opt-out request.",
    )


def require_case_actor(user, case: OptOutRequest, *, roles=(STAFF,)) -> None:
    """A 403 that says why, unless this user acts for the case's jurisdiction in one of `roles`."""
    require_actor(
        user,
        case,
        allowed=lambda actor, case: can_act(actor, case.jurisdiction_id, roles),
        refused="You do not act for this jurisdiction.",
        sign_in="Sign in to act on a request.",
    )


def case_for_actor(
    pk, user, *, roles=(STAFF,), queryset: QuerySet | None = None, hide_drafts: bool = True
) -> OptOutRequest:
    """
    The case if this user acts for its jurisdiction in one of `roles`. A
    case they may not see is a 404 (case_for_viewer); one they may see but
    not change is a 403 that says why (require_case_actor). With
    `hide_drafts=False` a draft they may not see is refused with a 403 like
    any other case, as the letters' and reminders' forms have always answered.
    """
    if hide_drafts:
        case = case_for_viewer(pk, user, queryset=queryset)
    else:
        case = object_for_viewer(_cases(queryset), pk, not_found="No such opt-out request.")
    require_case_actor(user, case, roles=roles)
    return case
