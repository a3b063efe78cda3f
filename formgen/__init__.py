"""formgen: validated data in, council children's-services documents out."""

__version__ = "0.1.0"
