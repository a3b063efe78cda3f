"""formgen: validated data in, council children's-services documents out.

The package is in wings whose imports run one way, downward (checked by import-linter in `make test`):

    cli        the command line                                   (a face)
    service    the HTTP API and the practitioners' web pages      (a face)
    engine     the entry points: validate, render, split, prefill
    store      what is kept: the append-only audit trail, and people's encrypted drafts
    documents  documents in and out: Word fill, PDF layout, fonts, page counts, reading back
    core       what a form is: fields, the registry of forms/, councils, dates, the shared vocabulary

`engine` and `store` are independent of each other; neither imports Flask or gunicorn.
"""

__version__ = "0.1.0"
