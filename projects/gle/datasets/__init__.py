"""Registered modules (imported for registration by gle/__init__)."""
from . import transforms  # noqa: F401
