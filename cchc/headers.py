"""Response headers every page gets (the Content-Security-Policy itself is django-csp's)."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """A page shown to someone signed in holds unpublished scores, names and accounts: no
    browser cache, back-button copy or proxy may keep it (``Cache-Control: no-store``).

    A response that already says ``no-store`` (a download, a page under ``never_cache``) is left
    as its view made it. Pages for visitors (the sign-in page) and static files are untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _says_no_store(response):
            add_never_cache_headers(response)
        return response


def _says_no_store(response) -> bool:
    directives = response.get("Cache-Control", "").replace(" ", "").lower().split(",")
    return "no-store" in directives
