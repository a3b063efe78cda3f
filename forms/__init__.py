"""One module per artefact. Each declares FORM, a formgen.core.registry.FormSpec."""
