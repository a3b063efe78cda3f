"""The footer's pages: accessibility statement, privacy notice, help. Plain words, each a list of paragraphs.

The privacy notice says only what the code does: answers are kept as an encrypted draft for the person who
typed them (formgen/store/drafts.py) until the document is made or the council's retention period ends
({retention} is filled in from the configuration); the audit trail (formgen/store/audit.py) keeps one row per
document made, append-only, with no time limit set by formgen."""

from __future__ import annotations

INFO_PAGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "accessibility": ("Accessibility statement", (
        "These pages are built with the GOV.UK Design System and aim to meet the Web Content Accessibility "
        "Guidelines (WCAG) 2.2 at level AA.",
        "Every kind of page is checked with axe-core at desktop (1280 pixels) and phone (390 pixels) widths, and "
        "works with a keyboard alone and without JavaScript.",
        "The documents made are tagged PDFs (PDF/UA) and Word documents with headings and table headers.",
        "If something does not work for you, tell the service desk of your council, saying the page and what "
        "happened.",
    )),
    "privacy": ("Privacy notice", (
        "Your answers are saved as a draft each time you continue, so that nothing you type is lost. The draft is "
        "encrypted, and only you, signed in, can open it: nobody else using this service can see or list it.",
        "A draft is deleted when you download its document, when you delete it, or {retention} days after it "
        "last changed, whichever comes first. That period is set by your council.",
        "The draft holds the answers you gave, the child's initials for your list of drafts, and when it was "
        "last changed. The document you download is not kept.",
        "For each document made, an audit trail keeps one row: the time, the form, the format, the number of "
        "pages, a fingerprint of the document (its SHA-256 hash), whether it worked, and who asked, as a keyed "
        "code rather than a name. No child's or family member's name, and none of the answers, is kept.",
        "The audit trail cannot be changed or deleted through this service and has no end date of its own: your "
        "council decides how long it keeps it, under its records retention schedule.",
        "Technical logs record the address asked for and the outcome, never the answers or a query string.",
    )),
    "help": ("Help", (
        "Choose the form your council uses from the list of forms, fill it in, check your answers, then "
        "download it as a PDF or a Word document.",
        "Each form is a list of parts, one page each. Your answers are saved whenever you continue: come back to "
        "them from 'Your drafts' on the list of forms.",
        "A document you made here before, or a case system's export, can fill in what forms share: use "
        "'Start from a document you already have' on a form's first page, or 'Fill in blank answers from a "
        "document' on its list of parts. An answer you have given is never changed by an upload.",
        "If the document would be longer than the form allows, the page says which answers to shorten and by "
        "about how much.",
        "For anything else, contact your council's service desk.",
    )),
}
