"""Registered modules (imported for registration by gle/__init__)."""
