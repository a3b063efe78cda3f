"""What a form is: field constructors, the registry of `forms/`, council profiles, working-day dates,
the vocabulary forms share, and the errors and problem details the other wings raise. Imports no other wing."""
