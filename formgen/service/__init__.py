"""The HTTP face: API views, OpenAPI, keys, logs, security headers, problem answers, the gunicorn server,
and the practitioners' web pages (`service.web`). `api.create_app()` assembles it."""
