from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "fupin.assistance"
    label = "assistance"
    verbose_name = _("精准帮扶")

    def ready(self) -> None:
        # 帮扶责任人 see the households paired to them now (不脱贫不脱钩): the policy asks this app.
        from fupin.accounts import policy

        from .selectors import paired_household_ids

        policy.register_household_provider("pairings", paired_household_ids)

        # issue 15 (visit15): the 帮扶责任人's home page is its own page (我的帮扶); visits due are a 待办.
        from fupin.web.todo import register_todo_provider
        from fupin.web.views import register_landing

        from .views_visits import my_page, visits_due_todos

        register_landing("assistance_home", my_page)
        register_todo_provider("assistance_visits", visits_due_todos)
        # issue 15 (plan15): the household list's ?gap=KEY (the households behind a gap, fupin.assistance.gaps)
        from fupin.registry.selectors import register_list_filter

        from . import gaps

        register_list_filter("gap", parse=gaps.list_filter, q=gaps.household_q, note=gaps.list_note)
        # issue 15 (card15): the 明白卡 of a township or the county, a background job
        from .cards import register_kind as register_cards_job

        register_cards_job()
        # day15: the gap report's counts refreshed in the background (the first view of a day)
        gaps.register_kind()
