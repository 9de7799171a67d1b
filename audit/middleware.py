from .recorder import current_request


class AuditActorMiddleware:
    """Remembers the request while it runs so a settings change made anywhere inside it is
    recorded with its user. The user is read when the change is written: by then the API has
    authenticated a token caller too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
