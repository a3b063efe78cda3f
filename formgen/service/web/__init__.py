"""Web pages for practitioners: pick a form, fill it in, check the answers, download DOCX or PDF.

`bp` is registered at `/` by api.create_app(). Pages are generated from each form's schema
(schema_form.py) with the GOV.UK Frontend Jinja macros; the GOV.UK Frontend assets come from npm
(node_modules/govuk-frontend, installed by `make setup`), served by assets.py.
"""

from formgen.service.web import task_views  # noqa: F401  (its routes are on bp)
from formgen.service.web.views import bp

__all__ = ["bp"]
