"""One module per artefact. Each declares FORM, a formgen.registry.FormSpec."""
