import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from core.access import admin_required, object_for_actor, object_for_viewer
from jurisdictions.models import Jurisdiction
from tests.factories import JurisdictionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_row_the_viewer_may_not_see_is_as_missing_as_one_that_does_not_exist():
    seen, hidden = JurisdictionFactory(name="Seen County"), JurisdictionFactory()
    rows = Jurisdiction.objects.all()
    can_view = lambda j: j.name == "Seen County"  # noqa: E731
    assert object_for_viewer(rows, seen.pk, can_view=can_view) == seen
    for pk in (hidden.pk, hidden.pk + 1000, "x", None):
        with pytest.raises(Http404, match="No such thing"):
            object_for_viewer(rows, pk, can_view=can_view, not_found="No such thing")


def test_an_actor_is_told_why_a_change_is_refused():
    j = JurisdictionFactory()
    rows = Jurisdiction.objects.all()
    user = UserFactory()
    allowed = lambda actor, row: actor.pk == user.pk  # noqa: E731
    assert object_for_actor(rows, j.pk, user, allowed=allowed) == j
    with pytest.raises(PermissionDenied, match="Sign in"):
        object_for_actor(rows, j.pk, AnonymousUser(), allowed=allowed, sign_in="Sign in first.")
    with pytest.raises(PermissionDenied, match="Not yours"):
        object_for_actor(rows, j.pk, UserFactory(), allowed=allowed, refused="Not yours.")
    # What the actor may not see is a 404 before any question of rights.
    with pytest.raises(Http404):
        object_for_actor(rows, j.pk, user, allowed=allowed, can_view=lambda row: False)


def test_an_admin_page_sends_visitors_to_sign_in_and_refuses_everyone_else():
    @admin_required("jurisdictions.add_scheduleversion", refused="For administrators.")
    def page(request):
        return HttpResponse("ok")

    request = RequestFactory().get("/schedules/")
    request.user = AnonymousUser()
    assert page(request).status_code == 302
    for user in (UserFactory(), UserFactory(is_staff=True)):
        request.user = user
        with pytest.raises(PermissionDenied, match="For administrators."):
            page(request)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="add_scheduleversion"))
    request.user = type(staff).objects.get(pk=staff.pk)  # permissions are cached per instance
    assert page(request).status_code == 200


def test_pages_kept_for_a_county_s_people_are_never_the_public_s():
    """
    core/fragments.py serves a kept part of a page to whoever has the same
    visibility scope: a county's staff and counsel share theirs, never the
    public's (their parts show drafts and notes), nor another county's.
    """
    from jurisdictions.models import Membership
    from optouts.permissions import visibility_scope
    from tests.factories import MembershipFactory

    home, other = JurisdictionFactory(), JurisdictionFactory()
    staff = MembershipFactory(jurisdiction=home, role=Membership.Role.STAFF).user
    counsel = MembershipFactory(jurisdiction=home, role=Membership.Role.COUNSEL).user
    neighbour = MembershipFactory(jurisdiction=other, role=Membership.Role.STAFF).user
    public = visibility_scope(AnonymousUser())
    assert visibility_scope(UserFactory()) == public
    assert visibility_scope(staff) == visibility_scope(counsel) != public
    assert visibility_scope(neighbour) not in {public, visibility_scope(staff)}
