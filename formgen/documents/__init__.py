"""Documents in and out: filling the Word templates, laying out the PDF from the filled document, fonts and
scripts, fillable fields, the data each document carries, page counts, and reading documents back.
Imports only `formgen.core`."""
