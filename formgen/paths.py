"""Where the project's files live, resolved from this package rather than the working directory."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
