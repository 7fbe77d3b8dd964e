"""Train and evaluate in the channels_last (NHWC) memory format."""
import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.registry import HOOKS


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Put the model's 4-D parameters and buffers in ``torch.channels_last``.

    Tensor-core convolution kernels (cuDNN) work in NHWC; with NCHW tensors
    every convolution pays layout conversions. Only the model is converted:
    a convolution whose weight is channels_last returns a channels_last
    output whatever the input layout (cuDNN and oneDNN pick the layout from
    input or weight), so the first convolution converts the NCHW batch once
    and every later activation stays NHWC. Nothing in the data pipeline or
    the data preprocessor changes, and the results are those of the NCHW
    model up to float rounding. Combine with ``--amp`` (AmpOptimWrapper),
    where the gain is largest.

    The conversion happens in ``before_run`` (train, val and test), before
    weights are initialised or a checkpoint is loaded (both copy into the
    converted tensors, keeping their layout). The Parameter objects are kept,
    so an optimizer built earlier still holds the model's parameters. Under
    DistributedDataParallel the model is wrapped before any hook runs:
    PyTorch then warns that gradient strides do not match its bucket views;
    training stays correct, the gradient reduction makes one extra copy.

    Enable it with ``custom_hooks = [..., dict(type='ChannelsLastHook')]``
    (keep mmpose's default ``SyncBuffersHook`` in the list), as in
    ``configs/gle/td-hm_vgg16-gle2_amp-nhwc_1xb50-30e_deepfashion-c-224x224.py``.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        model.to(memory_format=torch.channels_last)  # idempotent
        print_log(
            'ChannelsLastHook: model converted to channels_last',
            logger='current')
