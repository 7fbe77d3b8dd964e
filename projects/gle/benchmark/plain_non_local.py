"""The non-local block of the GLE network in plain PyTorch."""
from collections import OrderedDict

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def plain_conv(in_channels: int,
               out_channels: int,
               kernel_size: int,
               padding: int = 0,
               stride: int = 1,
               bias: bool = True,
               bn: bool = False,
               relu: bool = False,
               transposed: bool = False) -> nn.Sequential:
    """Conv (+ BN) (+ ReLU) as an ``nn.Sequential`` whose children are named
    ``conv``, ``bn``, ``activate``, the names of mmcv's ``ConvModule``, so
    that a plugin state dict loads without any key translation.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Kernel size.
        padding (int): Padding. Defaults to 0.
        stride (int): Stride. Defaults to 1.
        bias (bool): Whether the conv has a bias. Defaults to True.
        bn (bool): Add a BatchNorm2d. Defaults to False.
        relu (bool): Add an in-place ReLU. Defaults to False.
        transposed (bool): ``nn.ConvTranspose2d`` instead of ``nn.Conv2d``.
            Defaults to False.

    Returns:
        nn.Sequential: (N, in_channels, H, W) -> (N, out_channels, H', W').
    """
    conv = nn.ConvTranspose2d if transposed else nn.Conv2d
    layers = OrderedDict(
        conv=conv(
            in_channels,
            out_channels,
            kernel_size,
            stride=stride,
            padding=padding,
            bias=bias))
    if bn:
        layers['bn'] = nn.BatchNorm2d(out_channels)
    if relu:
        layers['activate'] = nn.ReLU(inplace=True)
    return nn.Sequential(layers)


class PlainNonLocal(nn.Module):
    """Embedded-Gaussian non-local block ``x + BN(W(softmax(theta^T phi) g))``
    without the 1/sqrt(C') scaling (the GLE authors' choice), written with
    ``torch.nn`` only.

    Sub-modules are named as in mmcv's ``NonLocal2d`` (``theta``, ``phi``,
    ``g``, ``conv_out``) so that the plugin's weights load as they are.

    Args:
        channels (int): Input and output channels C. Defaults to 512.
        inter_channels (int): Embedding channels C'. Defaults to 256.
        attention (str): ``'sdpa'`` (``F.scaled_dot_product_attention``) or
            ``'explicit'`` (the (HW x HW) softmax matrix). Defaults to
            ``'sdpa'``.
    """

    def __init__(self,
                 channels: int = 512,
                 inter_channels: int = 256,
                 attention: str = 'sdpa') -> None:
        super().__init__()
        if attention not in ('sdpa', 'explicit'):
            raise ValueError(
                f'attention must be sdpa or explicit, got {attention!r}')
        self.attention = attention
        self.theta = plain_conv(channels, inter_channels, 1)
        self.phi = plain_conv(channels, inter_channels, 1)
        self.g = plain_conv(channels, inter_channels, 1)
        self.conv_out = plain_conv(
            inter_channels, channels, 1, bias=False, bn=True)

    def forward(self, x: Tensor) -> Tensor:
        """Add the attention term to ``x``.

        Args:
            x (Tensor): Feature map in shape (N, C, H, W).

        Returns:
            Tensor: Same shape as ``x``.
        """
        n, _, h, w = x.shape

        def tokens(conv):
            # (N, 1, HW, C') with unit-stride last axis: what fused attention
            # kernels accept (otherwise sdpa falls back to its math path)
            return conv(x).flatten(2).transpose(1, 2).contiguous().unsqueeze(1)

        q, k, v = tokens(self.theta), tokens(self.phi), tokens(self.g)
        if self.attention == 'sdpa':
            y = F.scaled_dot_product_attention(q, k, v, scale=1.0)
        else:
            y = torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v
        y = y.squeeze(1).transpose(1, 2).reshape(n, -1, h, w)
        return x + self.conv_out(y)
