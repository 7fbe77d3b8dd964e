from .topdown_stretch_affine import TopdownStretchAffine

__all__ = ['TopdownStretchAffine']
