from .sdpa_non_local import SDPANonLocal2d

__all__ = ['SDPANonLocal2d']
