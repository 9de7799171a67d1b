from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _ in settings.LANGUAGES}
ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh_cn": "zh-hans", "en-us": "en"}


def _asked(request) -> str:
    asked = (request.GET.get("lang") or "").lower()
    return ALIASES.get(asked, asked)


def language_chosen(request) -> str | None:
    """The language the reader chose (`?lang=`, else the switch's cookie), if any."""
    asked = _asked(request)
    remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    lang = asked if asked in SUPPORTED else remembered
    return lang if lang in SUPPORTED else None


class LanguageMiddleware:
    """Simplified Chinese unless the user asked for another language, by `?lang=en` or the language
    switch (SPEC §11); the browser's Accept-Language is deliberately not consulted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        asked = _asked(request)
        remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        lang = language_chosen(request) or settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        if asked in SUPPORTED and asked != remembered:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, asked, max_age=365 * 24 * 3600, samesite="Lax"
            )
        translation.deactivate()
        return response
