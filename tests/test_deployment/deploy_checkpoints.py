"""Random-weight checkpoints for the export / onnxruntime parity tests."""
import os.path as osp

import torch
from script_utils import load_script

from gle.utils import safe_checkpoint_loading

REPO = osp.normpath(osp.join(osp.dirname(__file__), '..', '..'))
CONFIGS = osp.join(REPO, 'configs')
DEMO_CONFIG = osp.join(CONFIGS, 'gle',
                       'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
PAPER_K2 = osp.join(CONFIGS, 'gle',
                    'td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py')
PAPER_K3 = osp.join(CONFIGS, 'gle',
                    'td-hm_vgg16-gle3_1xb50-30e_fld-224x224.py')
PAPER_K0 = osp.join(CONFIGS, 'gle',
                    'td-hm_vgg16-gle0-stage1_1xb50-30e_fld-224x224.py')
DET_CONFIG = osp.join(CONFIGS, 'det',
                      'rtmdet-tiny_1xb8-20e_fashion-demo-det.py')
SAMPLE_DIR = osp.join(REPO, 'tests', 'data', 'fld_coco_sample')

HEATMAP_GAIN = 500.


def _save_init_checkpoint():
    """tools/misc/save_init_checkpoint.py as a module (run in-process)."""
    path = osp.join(REPO, 'tools', 'misc', 'save_init_checkpoint.py')
    return load_script(path, 'save_init_checkpoint')


def small_input_options(size: int) -> dict:
    """--cfg-options that shrink a config's input and heatmaps to
    ``size`` x ``size`` (the codec inside the head's ``PairAwareHeatmap``
    decoder, the test pipeline); the network is unchanged."""
    return {
        'model.head.decoder.codec.input_size': (size, size),
        'model.head.decoder.codec.heatmap_size': (size, size),
        'test_dataloader.dataset.pipeline.2.input_size': (size, size),
    }


def save_pose_checkpoint(config: str, out: str) -> str:
    """The untrained model of ``config`` (tools/misc/save_init_checkpoint.py)
    with every BatchNorm's affine weights and running statistics made
    random.

    The GLE neck starts each non-local block as the identity (zero BN
    weight after its output conv); random BN weights switch the attention
    on, so the parity tests exercise it.
    """
    # random VGG-16 instead of the paper configs' ImageNet file
    _save_init_checkpoint().main([
        config, out, '--seed', '0', '--cfg-options',
        'model.backbone.init_cfg=None'
    ])
    with safe_checkpoint_loading():
        ckpt = torch.load(out, map_location='cpu', weights_only=True)
    state = ckpt['state_dict']
    gen = torch.Generator().manual_seed(0)

    def uniform(t, lo, hi):
        return lo + (hi - lo) * torch.rand(t.shape, generator=gen)

    for key in [k for k in state if k.endswith('.running_mean')]:
        prefix = key[:-len('running_mean')]
        state[prefix + 'weight'] = uniform(state[prefix + 'weight'], 0.5, 1.5)
        state[prefix + 'bias'] = uniform(state[prefix + 'bias'], -0.2, 0.2)
        state[key] = uniform(state[key], -0.1, 0.1)
        state[prefix + 'running_var'] = uniform(state[key], 0.5, 1.5)
    # the head's output layer starts at std 0.001 (heatmaps ~1e-3): scale
    # it to heatmaps of about unit height, as a trained model's, so that a
    # 1e-4 tolerance means something
    state['head.final_layer.weight'] *= HEATMAP_GAIN
    state['head.final_layer.bias'] *= HEATMAP_GAIN
    torch.save(ckpt, out)
    return out


def save_det_checkpoint(out: str) -> str:
    """A random RTMDet of the demo detector config whose scores spread and
    whose boxes are not degenerate: the one tools/analysis/benchmark_onnx.py
    measures (its ``random_det_checkpoint``)."""
    path = osp.join(REPO, 'tools', 'analysis', 'benchmark_onnx.py')
    return load_script(path, 'benchmark_onnx').random_det_checkpoint(out)
