"""Issue 11 #7: no full phone number in the admin, as on every other surface — households, members, the
audit trail (an edit's before/after) and the list of accounts. The one place a number shows whole is
the change form of an account, opened to correct that one account (as the registry's edit forms)."""

from __future__ import annotations

import pytest

from fupin.accounts import policy
from fupin.accounts.models import Role
from fupin.audit.models import AuditEvent
from fupin.registry import services
from fupin.registry.choices import Relation
from tests import factories

pytestmark = pytest.mark.django_db

OLD, NEW, HOUSE, STAFF = "13912345678", "13887654321", "08741234567", "13700002222"


@pytest.fixture
def admin_client(client, tree):
    root = factories.user("root", Role.ADMIN, None, is_superuser=True, is_staff=True)
    client.force_login(root)
    return client


def test_no_full_phone_number_in_the_admin(admin_client, tree, county_user):
    household = factories.household(tree["village_a1"], actor=county_user, phone=HOUSE, members=[
        factories.member_data(Relation.HEAD, "1", phone=OLD)])
    member = household.members.get()
    services.member_update(actor=county_user, member=member, data={"phone": NEW})
    event = AuditEvent.objects.filter(entity="registry.member", entity_id=str(member.pk), kind="update").get()
    assert event.data["changes"]["phone"] == {"before": OLD, "after": NEW}  # the trail keeps them whole
    staff = factories.user("staff_li", Role.COUNTY, tree["county"], phone=STAFF, is_staff=True)
    pages = ["/admin/registry/household/", f"/admin/registry/household/{household.pk}/change/",
             "/admin/registry/member/", f"/admin/registry/member/{member.pk}/change/",
             "/admin/audit/auditevent/", f"/admin/audit/auditevent/{event.pk}/change/",
             "/admin/accounts/user/"]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not any(number in html for number in (OLD, NEW, HOUSE, STAFF)), url
    assert policy.mask_phone(STAFF) in admin_client.get("/admin/accounts/user/").content.decode()
    trail = admin_client.get(f"/admin/audit/auditevent/{event.pk}/change/").content.decode()
    assert policy.mask_phone(OLD) in trail and policy.mask_phone(NEW) in trail
    # Correcting one account needs its number whole: its change form is the one place it shows.
    assert STAFF in admin_client.get(f"/admin/accounts/user/{staff.pk}/change/").content.decode()
