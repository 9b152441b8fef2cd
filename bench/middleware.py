"""Middleware for benchmark runs only (bench.settings), never in production settings."""


def forwarded_client_address(get_response):
    """Take the client's address from X-Forwarded-For, as the production reverse proxy does.

    The load generator gives every request its own address, so the per-IP rate limits see many
    clients instead of one loopback address tripping them after a few requests.
    """

    def middleware(request):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if forwarded:
            request.META["REMOTE_ADDR"] = forwarded
        return get_response(request)

    return middleware
