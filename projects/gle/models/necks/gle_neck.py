"""Global-Local Embedding (GLE) neck of Lee et al., ICCV-W 2019."""
import numbers
from collections import OrderedDict
from typing import Sequence, Tuple, Union

from mmcv.cnn import ConvModule
from mmengine.model import BaseModule, constant_init
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptMultiConfig
from torch import Tensor, nn

from ..layers import SDPANonLocal2d


def _check_int(key: str, value, minimum: int, meaning: str) -> None:
    """Refuse a config value that is not an integer >= ``minimum``, naming
    the ``model.neck`` key (``'two'``, ``2.5`` or ``True`` would otherwise
    fail deep inside ``range`` or ``%``, or build a wrong network)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f'GLENeck: {key} must be an integer ({meaning}), got '
                        f'{value!r} ({type(value).__name__}). Fix: set '
                        f'model.neck.{key} to an int >= {minimum}')
    if value < minimum:
        raise ValueError(f'GLENeck: {key} must be >= {minimum} ({meaning}), '
                         f'got {value}. Fix: set model.neck.{key} to an int '
                         f'>= {minimum}')


@MODELS.register_module()
class GLENeck(BaseModule):
    """Stack of ``num_modules`` global-local embedding modules (Lee et al.,
    "A Global-Local Embedding Module for Fashion Landmark Detection",
    ICCV Workshops 2019).

    Each module is, in this order (paper, Sec. 2.2)::

        x -> non-local block (embedded Gaussian, residual) -> y_hat
          -> 3x3 conv + BN + ReLU -> 3x3 conv + BN + ReLU -> z

    The module is an ``nn.Sequential``, so the two convolutions always
    consume the non-local output (the authors' public code discarded it).
    Channels and spatial size are preserved: (N, C, H, W) -> (N, C, H, W).

    Args:
        in_channels (int): Channels ``C`` of the input feature map.
            Defaults to 512 (VGG-16 conv4_3).
        inter_channels (int): Channels of theta/phi/g in the non-local
            block; must divide ``in_channels``. Defaults to 256.
        num_modules (int): Number of GLE modules ``k``; 0 makes the neck an
            identity (the no-GLE baseline). Defaults to 2.
        norm_cfg (dict): Norm layer after the non-local output conv and after
            each 3x3 conv. Defaults to ``dict(type='BN')``.
        use_scale (bool): Scale the attention logits by
            ``1/sqrt(inter_channels)``. The authors do not. Defaults to False.
        zero_init_nonlocal_out (bool): Zero the non-local output norm (or
            conv, without norm) so each non-local block starts as the
            identity. Re-applied after :meth:`init_weights` so that an
            ``init_cfg`` of this neck or of a parent cannot undo it.
            Defaults to True.
        attention_impl (str): ``'sdpa'`` or ``'explicit'``, see
            :class:`SDPANonLocal2d`. Defaults to ``'sdpa'``.
        init_cfg (dict | list[dict], optional): Initialisation config.
            Defaults to None (mmcv defaults: normal(0.01) for theta/phi/g,
            Kaiming for the 3x3 convs, BN weight 1).
    """

    def __init__(self,
                 in_channels: int = 512,
                 inter_channels: int = 256,
                 num_modules: int = 2,
                 norm_cfg: ConfigType = dict(type='BN'),
                 use_scale: bool = False,
                 zero_init_nonlocal_out: bool = True,
                 attention_impl: str = 'sdpa',
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        _check_int(
            'num_modules',
            num_modules,
            minimum=0,
            meaning='the number k of GLE modules, 0 for the no-GLE '
            'baseline')
        _check_int(
            'in_channels',
            in_channels,
            minimum=1,
            meaning='the channels of the backbone output')
        _check_int(
            'inter_channels',
            inter_channels,
            minimum=1,
            meaning='the theta/phi/g channels of the non-local blocks')
        if in_channels % inter_channels != 0:
            raise ValueError(
                f'GLENeck: inter_channels ({inter_channels}) must divide '
                f'in_channels ({in_channels}). Fix: set '
                'model.neck.inter_channels to a divisor, e.g. '
                f'{in_channels // 2}')
        self.in_channels = in_channels
        self.inter_channels = inter_channels
        self.num_modules = num_modules
        self.zero_init_nonlocal_out = zero_init_nonlocal_out

        # an empty nn.Sequential returns its input: the k=0 baseline
        self.gle_modules = nn.Sequential(*[
            self._make_gle_module(norm_cfg, use_scale, attention_impl)
            for _ in range(num_modules)
        ])

    def _make_gle_module(self, norm_cfg: ConfigType, use_scale: bool,
                         attention_impl: str) -> nn.Sequential:
        """Build one module: non-local block, then two 3x3 ConvModules."""
        c = self.in_channels
        return nn.Sequential(
            OrderedDict(
                non_local=SDPANonLocal2d(
                    c,
                    reduction=c // self.inter_channels,
                    use_scale=use_scale,
                    norm_cfg=norm_cfg,
                    mode='embedded_gaussian',
                    attention_impl=attention_impl,
                    zeros_init=self.zero_init_nonlocal_out),
                conv1=ConvModule(c, c, 3, padding=1, norm_cfg=norm_cfg),
                conv2=ConvModule(c, c, 3, padding=1, norm_cfg=norm_cfg)))

    @property
    def non_local_blocks(self) -> Tuple[SDPANonLocal2d, ...]:
        """The non-local block of each GLE module, in order."""
        return tuple(m.non_local for m in self.gle_modules)

    def init_weights(self) -> None:
        """Initialise by ``init_cfg``, then restore the identity start.

        mmengine applies the ``init_cfg`` of this neck *and of any parent*
        (e.g. ``Constant(val=1)`` on BatchNorm) to every sub-layer, which
        would silently turn the zero-initialised non-local output back on.
        A ``Pretrained`` entry of this neck's own ``init_cfg`` is loaded last
        by mmengine and is left untouched.
        """
        already_initialised = self._is_init  # mmengine then does nothing
        super().init_weights()
        if (already_initialised or not self.zero_init_nonlocal_out
                or self._loads_pretrained()):
            return
        for block in self.non_local_blocks:
            out = block.conv_out
            constant_init(out.norm if out.with_norm else out.conv, 0)

    def _loads_pretrained(self) -> bool:
        cfgs = self.init_cfg or []
        cfgs = [cfgs] if isinstance(cfgs, dict) else cfgs
        return any(cfg.get('type') == 'Pretrained' for cfg in cfgs)

    def forward(self, inputs: Union[Tensor,
                                    Sequence[Tensor]]) -> Tuple[Tensor]:
        """Embed the last (deepest) feature map.

        Args:
            inputs (Tensor | Sequence[Tensor]): Feature maps from the
                backbone; only the last one, in shape (N, C, H, W), is used.

        Returns:
            tuple[Tensor]: One feature map in shape (N, C, H, W).
        """
        x = inputs if isinstance(inputs, Tensor) else inputs[-1]
        return (self.gle_modules(x), )
