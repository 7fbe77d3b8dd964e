from .gle_neck import GLENeck

__all__ = ['GLENeck']
