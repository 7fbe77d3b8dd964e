"""Random-weight checkpoints for the export / onnxruntime parity tests."""
import os.path as osp

import torch
from script_utils import load_script
from torch.nn.modules.batchnorm import _BatchNorm

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
    """A random RTMDet of the demo detector config whose boxes are not
    degenerate (as tests/test_apis/random_checkpoints.py)."""
    from mmdet.apis import init_detector
    from mmengine.registry import DefaultScope

    from gle.detection import FashionDetDataset

    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmdet'):
        det = init_detector(DET_CONFIG, None, device='cpu')
    # Untrained, CSPNeXt's activations shrink to ~1e-3 by the neck, so the
    # class scores all sit within 0.01 of sigmoid(bias) and tie to float
    # precision (NMS then keeps one of them at random). BatchNorm statistics
    # of one batch of noise bring the features to unit scale (scores spread
    # over (0, 1)); RTMDet regresses box side distances linearly, and a
    # positive bias makes most boxes a few strides wide.
    bns = [m for m in det.modules() if isinstance(m, _BatchNorm)]
    det.train()
    with torch.no_grad():
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None  # running stats = this batch's
        det.bbox_head(det.extract_feat(torch.randn(4, 3, 160, 160)))
        for bn in bns:
            bn.momentum = 0.03
        for reg in det.bbox_head.rtm_reg:
            reg.bias.fill_(2.0)
    det.eval()
    torch.save(
        dict(
            state_dict=det.state_dict(),
            meta=dict(dataset_meta=dict(FashionDetDataset.METAINFO))), out)
    return out
