"""Embedded-Gaussian non-local block with a fused-attention forward path."""
from typing import Dict

import torch.nn.functional as F
from mmcv.cnn import NonLocal2d
from mmpose.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class SDPANonLocal2d(NonLocal2d):
    """2D embedded-Gaussian non-local block (`Non-local Neural Networks`_)
    whose attention can run through :func:`F.scaled_dot_product_attention`.

    Layers, initialisation and the explicit forward are mmcv's
    :class:`~mmcv.cnn.NonLocal2d`; this subclass only adds the fused path,
    which computes the same ``softmax(theta(x)^T phi(x)) g(x)`` without
    materialising the (HW x HW) matrix in Python code (mmcv's forward has no
    hook for the attention kernel, hence the override).

    Computation (``x``: (N, C, H, W), ``C'`` = ``in_channels // reduction``)::

        y = softmax(s * theta(x)^T phi(x)) g(x)      # (N, HW, C')
        out = x + conv_out(y)                        # (N, C, H, W)

    with ``s = 1/sqrt(C')`` if ``use_scale`` else ``1``. ``conv_out`` is a
    1x1 conv followed by ``norm_cfg`` (if any).

    Args:
        in_channels (int): Channels ``C`` of the input feature map.
        attention_impl (str): ``'sdpa'`` (fused kernel) or ``'explicit'``
            (mmcv's matmul-softmax-matmul). Both give the same result up to
            float rounding. Defaults to ``'sdpa'``.
        **kwargs: Passed to :class:`~mmcv.cnn.NonLocal2d`: ``reduction``,
            ``use_scale``, ``conv_cfg``, ``norm_cfg``, ``sub_sample``,
            ``zeros_init`` and ``std`` (initialisation), and ``mode``, which
            must stay ``'embedded_gaussian'`` for the fused path.

    .. _`Non-local Neural Networks`: https://arxiv.org/abs/1711.07971
    """

    attention_impls = ('sdpa', 'explicit')

    def __init__(self,
                 in_channels: int,
                 attention_impl: str = 'sdpa',
                 **kwargs: Dict) -> None:
        if attention_impl not in self.attention_impls:
            raise ValueError(f'attention_impl must be one of '
                             f'{self.attention_impls}, got {attention_impl!r}')
        super().__init__(in_channels, **kwargs)
        if attention_impl == 'sdpa' and self.mode != 'embedded_gaussian':
            raise ValueError('the sdpa path is a softmax attention, i.e. the '
                             f"'embedded_gaussian' mode, not {self.mode!r}")
        self.attention_impl = attention_impl

    @staticmethod
    def _tokens(feat: Tensor) -> Tensor:
        """(N, C', H, W) -> (N, 1, HW, C'), last axis of unit stride."""
        return feat.flatten(2).transpose(1, 2).contiguous().unsqueeze(1)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block.

        Args:
            x (Tensor): Input features in shape (N, C, H, W).

        Returns:
            Tensor: ``x + conv_out(y)`` in shape (N, C, H, W).
        """
        if self.attention_impl == 'explicit':
            return super().forward(x)

        n, _, h, w = x.shape
        # (N, C', H, W) -> (N, 1, HW, C'): one head whose rows are positions
        # (phi and g have fewer rows when sub_sample pools them). The fused
        # kernels (flash, memory-efficient, cuDNN on CUDA; flash on CPU) take
        # only 4-D inputs with a unit-stride last axis; anything else falls
        # back to the unfused math path, which materialises the (HW x HW)
        # matrix. contiguous() copies only NCHW maps (channels_last ones
        # already are (N, HW, C') in memory).
        query = self._tokens(self.theta(x))
        key = self._tokens(self.phi(x))
        value = self._tokens(self.g(x))
        # scale=None is sdpa's default 1/sqrt(C'); the GLE authors use 1
        scale = None if self.use_scale else 1.0
        y = F.scaled_dot_product_attention(query, key, value, scale=scale)
        y = y.squeeze(1).transpose(1, 2).reshape(n, self.inter_channels, h, w)
        return x + self.conv_out(y)
