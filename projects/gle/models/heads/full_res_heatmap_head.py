"""Full-resolution upsampling heatmap head of the GLE network."""
from typing import Sequence, Tuple

from mmcv.cnn import ConvModule, build_conv_layer
from mmpose.models.heads import HeatmapHead
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.typing import ConfigType, OptConfigType
from torch import Tensor, nn


@MODELS.register_module()
class FullResHeatmapHead(HeatmapHead):
    """Upsampling network of the GLE paper, predicting heatmaps at the input
    resolution from a stride-8 feature map.

    Layout (defaults = the authors' decoder, 447,496 parameters for 512 input
    channels and 8 landmarks)::

        stem:   1x1 512->64, 3x3 64->64, 3x3 64->64, 3x3 64->128
        stage1: ConvT(k4, s2, p1) 128->64, 3x3 64->64, 3x3 64->64
        stage2: ConvT 64->32, 3x3 32->32, 3x3 32->32
        stage3: ConvT 32->16, 3x3 16->16
        final:  1x1 16->out_channels (linear output)

    Every layer but the final one is conv (+ norm) + activation; each stage
    doubles the size, so (N, C, H, W) -> (N, K, H * 2**S, W * 2**S) with
    ``S = len(deconv_out_channels)``: 28x28 -> 224x224 by default.

    Only the layers differ from :class:`~mmpose.models.heads.HeatmapHead`
    (built by the overridden ``_make_conv_layers`` / ``_make_deconv_layers``,
    as mmpose's ``ViPNASHead`` overrides the latter); its ``loss``
    (KeypointMSELoss with target weights) and ``predict`` (flip test through
    ``flip_heatmaps``, decoding with ``decoder``) are inherited unchanged, so
    tools that rewrite ``HeatmapHead.predict`` by name (mmdeploy's ONNX
    export) apply to this head too.

    At stride 1 the flip test must use ``shift_heatmap=False``: a horizontal
    image flip maps pixel ``x`` to ``W - 1 - x``, and so does the heatmap
    flip, so there is nothing to shift.

    Args:
        in_channels (int): Channels of the input feature map.
        out_channels (int): Number of heatmaps (landmarks).
        stem_channels (Sequence[int]): Output channels of the stem convs.
            Defaults to ``(64, 64, 64, 128)``.
        stem_kernel_sizes (Sequence[int]): Kernel sizes of the stem convs.
            Defaults to ``(1, 3, 3, 3)``.
        deconv_out_channels (Sequence[int]): Output channels of the
            transposed conv opening each upsampling stage, also used by the
            stage's convs. Defaults to ``(64, 32, 16)``.
        convs_per_stage (Sequence[int]): Number of 3x3 convs after each
            transposed conv. Defaults to ``(2, 2, 1)``.
        deconv_kernel_size (int): Kernel size of the stride-2 transposed
            convs, 4 (padding 1) or 2 (padding 0). Defaults to 4.
        conv_kernel_size (int): Kernel size of the stage convs. Defaults to 3.
        norm_cfg (dict, optional): Norm layer after every conv but the final
            one. None (the paper) means no norm and biased convs.
        act_cfg (dict): Activation after every conv but the final one.
            Defaults to ``dict(type='ReLU')``.
        loss (dict): Keypoint loss. Defaults to
            ``KeypointMSELoss(use_target_weight=True)``.
        decoder (dict, optional): Codec used by ``predict``/``decode``.
        init_cfg (dict | list[dict], optional): Defaults to
            :attr:`default_init_cfg`.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 stem_channels: Sequence[int] = (64, 64, 64, 128),
                 stem_kernel_sizes: Sequence[int] = (1, 3, 3, 3),
                 deconv_out_channels: Sequence[int] = (64, 32, 16),
                 convs_per_stage: Sequence[int] = (2, 2, 1),
                 deconv_kernel_size: int = 4,
                 conv_kernel_size: int = 3,
                 norm_cfg: OptConfigType = None,
                 act_cfg: ConfigType = dict(type='ReLU'),
                 loss: ConfigType = dict(
                     type='KeypointMSELoss', use_target_weight=True),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        if len(stem_channels) != len(stem_kernel_sizes):
            raise ValueError('stem_channels and stem_kernel_sizes differ in '
                             f'length: {stem_channels} vs {stem_kernel_sizes}')
        if len(deconv_out_channels) != len(convs_per_stage):
            raise ValueError('deconv_out_channels and convs_per_stage differ '
                             f'in length: {deconv_out_channels} vs '
                             f'{convs_per_stage}')
        if deconv_kernel_size not in (2, 4):
            raise ValueError('deconv_kernel_size must be 4 or 2 (exact x2 '
                             f'upsampling), got {deconv_kernel_size}')
        if init_cfg is None:
            init_cfg = self.default_init_cfg
        # BaseHead's __init__, not HeatmapHead's, as mmpose's ViPNASHead
        # does: the layers are built by the builders overridden below.
        # HeatmapHead's state-dict pre-hook (renaming pre-1.0 mmpose keys of
        # its own layer layout) is not registered: no such checkpoint exists
        # for this head.
        super(HeatmapHead, self).__init__(init_cfg)

        self.in_channels = in_channels
        self.out_channels = out_channels
        self.norm_cfg = norm_cfg
        self.act_cfg = act_cfg
        self.loss_module = MODELS.build(loss)
        if decoder is not None:
            self.decoder = KEYPOINT_CODECS.build(decoder)
        else:
            self.decoder = None

        self.stem_layers = self._make_conv_layers(
            in_channels=in_channels,
            layer_out_channels=stem_channels,
            layer_kernel_sizes=stem_kernel_sizes)
        if stem_channels:
            in_channels = stem_channels[-1]
        self.upsample_layers = self._make_deconv_layers(
            in_channels=in_channels,
            layer_out_channels=deconv_out_channels,
            layer_kernel_sizes=[deconv_kernel_size] * len(deconv_out_channels),
            layer_num_convs=convs_per_stage,
            conv_kernel_size=conv_kernel_size)
        if deconv_out_channels:
            in_channels = deconv_out_channels[-1]
        # linear output: a plain conv, no norm or activation
        self.final_layer = build_conv_layer(
            dict(type='Conv2d'), in_channels, out_channels, kernel_size=1)

    def _make_conv_layers(self, in_channels: int,
                          layer_out_channels: Sequence[int],
                          layer_kernel_sizes: Sequence[int]) -> nn.Module:
        """Create stride-1 convs, one ConvModule (conv [+ norm] + act, 'same'
        padding) per entry: the stem, and the convs of each upsampling stage.

        Args:
            in_channels (int): Input channels.
            layer_out_channels (Sequence[int]): Output channels per conv.
            layer_kernel_sizes (Sequence[int]): Kernel size per conv.

        Returns:
            nn.Sequential: (N, in_channels, H, W) ->
            (N, layer_out_channels[-1], H, W).
        """
        layers = []
        for out_channels, kernel_size in zip(layer_out_channels,
                                             layer_kernel_sizes):
            layers.append(
                ConvModule(
                    in_channels,
                    out_channels,
                    kernel_size,
                    padding=(kernel_size - 1) // 2,
                    norm_cfg=self.norm_cfg,
                    act_cfg=self.act_cfg))
            in_channels = out_channels
        return nn.Sequential(*layers)

    def _make_deconv_layers(self, in_channels: int,
                            layer_out_channels: Sequence[int],
                            layer_kernel_sizes: Sequence[int],
                            layer_num_convs: Sequence[int],
                            conv_kernel_size: int) -> nn.Module:
        """Create the upsampling stages: per stage a stride-2 transposed
        ConvModule, then ``layer_num_convs`` ConvModules at the new size
        (built by :meth:`_make_conv_layers`).

        Args:
            in_channels (int): Input channels.
            layer_out_channels (Sequence[int]): Channels of each stage.
            layer_kernel_sizes (Sequence[int]): Transposed-conv kernel size
                of each stage, 4 (padding 1) or 2 (padding 0).
            layer_num_convs (Sequence[int]): Convs after each transposed
                conv.
            conv_kernel_size (int): Kernel size of those convs.

        Returns:
            nn.Sequential: One ``nn.Sequential`` per stage; (N, in_channels,
            H, W) -> (N, layer_out_channels[-1], H * 2**S, W * 2**S).
        """
        stages = []
        for out_channels, kernel_size, num_convs in zip(
                layer_out_channels, layer_kernel_sizes, layer_num_convs):
            deconv = ConvModule(
                in_channels,
                out_channels,
                kernel_size,
                stride=2,
                padding=kernel_size // 2 - 1,
                conv_cfg=dict(type='deconv'),
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg)
            convs = self._make_conv_layers(out_channels,
                                           [out_channels] * num_convs,
                                           [conv_kernel_size] * num_convs)
            stages.append(nn.Sequential(deconv, *convs))
            in_channels = out_channels
        return nn.Sequential(*stages)

    @property
    def default_init_cfg(self) -> list:
        """Kaiming for the ReLU layers (HeatmapHead's normal(0.001) would
        vanish through 12 unnormalised layers), small normal for the output
        so that initial heatmaps are close to zero."""
        return [
            dict(
                type='Kaiming',
                layer=['Conv2d', 'ConvTranspose2d'],
                override=dict(type='Normal', name='final_layer', std=0.001))
        ]

    @property
    def upsample_factor(self) -> int:
        """Ratio of output to input spatial size."""
        return 2**len(self.upsample_layers)

    def forward(self, feats: Tuple[Tensor]) -> Tensor:
        """Predict heatmaps from the last feature map.

        Args:
            feats (tuple[Tensor]): Feature maps; the last one, in shape
                (N, C, H, W), is used.

        Returns:
            Tensor: Heatmaps in shape (N, K, H * f, W * f), f =
            :attr:`upsample_factor`.
        """
        x = self.stem_layers(feats[-1])
        x = self.upsample_layers(x)
        return self.final_layer(x)
