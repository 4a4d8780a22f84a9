from django.conf import settings


class ChineseByDefaultMiddleware:
    """Office PCs often run English-locale browsers; Fupin speaks Chinese unless a user picks
    another language (the switcher sets a cookie, which LocaleMiddleware still honours)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.FUPIN_BROWSER_LANGUAGE:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
