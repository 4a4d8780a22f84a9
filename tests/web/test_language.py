"""Chinese by default whatever the browser says; English when the user picks it."""

from django.conf import settings
from django.urls import reverse


def test_pages_are_chinese_even_for_an_english_browser(client, county_user):
    client.force_login(county_user)
    page = client.get(reverse("household_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "贫困户名册" in page


def test_the_language_switch_turns_the_interface_english(client, county_user):
    client.force_login(county_user)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("household_list")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("household_list")).content.decode()
    assert "Poor household register" in page
    assert "贫困户名册" not in page


def test_the_login_page_and_the_admin_say_when_the_data_is_synthetic(client, county_user, tree):
    from fupin.registry.models import Household

    from .. import factories

    h = factories.household(tree["village_a1"], actor=county_user)
    Household.objects.filter(pk=h.pk).update(synthetic=True)
    assert "合成数据" in client.get(reverse("login")).content.decode()
    from fupin.accounts.models import User

    admin = User.objects.create_superuser("root", "r@example.cn", "pw-1234567890", role="admin")
    client.force_login(admin)
    assert "合成数据" in client.get("/admin/").content.decode()
