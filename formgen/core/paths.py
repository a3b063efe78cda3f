"""Where the project's files live, resolved from this package rather than the working directory."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
PROJECT_ROOT = _PACKAGE.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
FONTS_DIR = _PACKAGE / "documents" / "fonts"
