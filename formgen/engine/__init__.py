"""The engine's entry points, called alike by the HTTP API, the web pages and the command line:
`pipeline` (validate, check, render, split by child) and `prefill` (one form's answers from another's)."""
