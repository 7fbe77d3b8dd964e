"""The GLE network in plain PyTorch: the independent reference the benchmark
times the plugin against and checks it with.

Nothing here imports mmcv, mmengine, mmpose or the plugin's model code: the
layers are ``torch.nn`` modules and the forward is ``nn.Sequential``'s. Only
the module *names* follow the plugin (``backbone.features.<i>.conv``,
``neck.gle_modules.<j>.non_local.theta.conv``, ``head.stem_layers.<i>.conv``,
...), so that :func:`load_plugin_weights` copies a plugin state dict with a
strict ``load_state_dict`` and no key translation. When the plugin's
architecture changes, that load or the output comparison of
tests/test_benchmark/test_plain_gle_net.py fails until this file follows.
"""
from collections import OrderedDict

from torch import nn

from .plain_non_local import PlainNonLocal, plain_conv

#: VGG-16 stages kept by the GLE paper: conv1_1 ... conv4_3 (+ ReLU), with a
#: max-pool after the first three stages (stride 8).
VGG16_CONV4 = ((64, 64), (128, 128), (256, 256, 256), (512, 512, 512))
#: The authors' decoder (paper, section 2): stem (out channels, kernel) ...
DECODER_STEM = ((64, 1), (64, 3), (64, 3), (128, 3))
#: ... then upsampling stages (channels, 3x3 convs after the ConvT).
DECODER_STAGES = ((64, 2), (32, 2), (16, 1))


class PlainGLENet(nn.Sequential):
    """VGG-16 to conv4_3 -> ``num_modules`` GLE modules (non-local block, two
    3x3 conv-BN-ReLU) -> the full-resolution decoder (no BN, ReLU after every
    layer but the last).

    Args:
        num_modules (int): Number of GLE modules k. Defaults to 2.
        num_keypoints (int): Output heatmaps K. Defaults to 8.
        attention (str): ``'sdpa'`` or ``'explicit'``, see
            :class:`PlainNonLocal`. Defaults to ``'sdpa'``.

    Input (N, 3, H, W) -> output (N, K, H, W), H and W multiples of 8.
    """

    def __init__(self,
                 num_modules: int = 2,
                 num_keypoints: int = 8,
                 attention: str = 'sdpa') -> None:
        features, cin = [], 3
        for i, stage in enumerate(VGG16_CONV4):
            for cout in stage:
                features.append(plain_conv(cin, cout, 3, padding=1, relu=True))
                cin = cout
            if i < len(VGG16_CONV4) - 1:
                features.append(nn.MaxPool2d(2, 2))

        def conv_bn_relu():
            return plain_conv(
                cin, cin, 3, padding=1, bias=False, bn=True, relu=True)

        gle_modules = [
            nn.Sequential(
                OrderedDict(
                    non_local=PlainNonLocal(cin, 256, attention),
                    conv1=conv_bn_relu(),
                    conv2=conv_bn_relu())) for _ in range(num_modules)
        ]

        stem = []
        for cout, k in DECODER_STEM:
            stem.append(plain_conv(cin, cout, k, padding=k // 2, relu=True))
            cin = cout
        stages = []
        for cout, num_convs in DECODER_STAGES:
            stage = [
                plain_conv(
                    cin,
                    cout,
                    4,
                    stride=2,
                    padding=1,
                    relu=True,
                    transposed=True)
            ]
            stage += [
                plain_conv(cout, cout, 3, padding=1, relu=True)
                for _ in range(num_convs)
            ]
            stages.append(nn.Sequential(*stage))
            cin = cout

        super().__init__(
            OrderedDict(
                backbone=nn.Sequential(
                    OrderedDict(features=nn.Sequential(*features))),
                neck=nn.Sequential(
                    OrderedDict(gle_modules=nn.Sequential(*gle_modules))),
                head=nn.Sequential(
                    OrderedDict(
                        stem_layers=nn.Sequential(*stem),
                        upsample_layers=nn.Sequential(*stages),
                        final_layer=nn.Conv2d(cin, num_keypoints, 1)))))
        self.num_modules = num_modules


def load_plugin_weights(plain: PlainGLENet, plugin: nn.Module) -> PlainGLENet:
    """Copy the plugin model's parameters and buffers into ``plain``.

    Args:
        plain (PlainGLENet): The reference network, changed in place.
        plugin (nn.Module): A ``TopdownPoseEstimator`` built from a GLE
            config.

    Returns:
        PlainGLENet: ``plain``.

    Raises:
        KeyError: The two state dicts differ in keys or shapes, i.e. the
            networks differ; the message lists the first differences.
    """
    src, dst = plugin.state_dict(), plain.state_dict()
    only_plugin = sorted(set(src) - set(dst))
    only_plain = sorted(set(dst) - set(src))
    shapes = sorted(f'{k} {tuple(src[k].shape)} vs {tuple(dst[k].shape)}'
                    for k in set(src) & set(dst)
                    if src[k].shape != dst[k].shape)
    if only_plugin or only_plain or shapes:
        raise KeyError(
            'the plugin and PlainGLENet differ (update '
            'gle/benchmark/plain_gle_net.py to the new architecture): plugin '
            f'keys absent from the plain network {only_plugin[:5]}, plain '
            f'keys absent from the plugin {only_plain[:5]}, shapes '
            f'{shapes[:5]}')
    plain.load_state_dict(src, strict=True)
    return plain


def num_params(module: nn.Module) -> int:
    """Number of parameters of ``module``."""
    return sum(p.numel() for p in module.parameters())
