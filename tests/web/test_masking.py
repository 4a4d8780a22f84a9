"""ID numbers are shown masked (530324********1234) on read pages; the full number never is."""

from __future__ import annotations

from django.urls import reverse

from fupin.registry import services


def test_the_household_page_masks_every_id_number(county_client, county_user, ha):
    spouse = ha.members.get(name="钱甲花")
    services.member_remove(actor=county_user, member=spouse, reason="death")  # removed members too
    text = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    members = list(ha.members.all())
    assert len(members) == 2
    for m in members:
        masked = m.id_number[:6] + "********" + m.id_number[-4:]
        assert masked in text
        assert m.id_number not in text
        assert m.id_number[6:14] not in text  # not even the birth date part


def test_the_household_page_masks_the_bank_account(county_client, county_user, ha):
    services.household_update(actor=county_user, household=ha, data={"bank_account": "6228480012345678901"})
    text = county_client.get(reverse("household_detail", args=[ha.pk])).content.decode()
    assert "622848*********8901" in text
    assert "6228480012345678901" not in text


def test_lists_and_the_overview_show_no_id_numbers(county_client, registry):
    ids = [m.id_number for h in registry.values() for m in h.members.all()]
    for url in (reverse("household_list"), reverse("overview"), reverse("area_tree")):
        text = county_client.get(url).content.decode()
        for number in ids:
            assert number not in text and number[6:14] not in text, url


def test_searching_by_id_number_does_not_print_other_members_numbers(county_client, ha):
    head, spouse = ha.members.get(name="赵甲山"), ha.members.get(name="钱甲花")
    text = county_client.get(reverse("household_list"), {"q": spouse.id_number},
                             HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results").content.decode()
    assert ha.number in text
    assert head.id_number not in text
