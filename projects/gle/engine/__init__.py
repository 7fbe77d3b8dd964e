"""Runner-side additions (hooks registered into mmpose's HOOKS on import)."""
from .hooks import *  # noqa: F401,F403
