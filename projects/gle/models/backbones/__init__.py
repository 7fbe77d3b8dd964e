from .vgg_conv4 import VGGConv4

__all__ = ['VGGConv4']
