"""Middleware of the project's own: keeping responses out of caches."""

from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response Django makes: pages and files carry case
    data, and a council PC's browser (or a proxy) must not keep them for the next person.
    Placed after WhiteNoise, whose static files keep their own long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
