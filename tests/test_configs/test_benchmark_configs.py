"""The context-benchmark GLE config and MMPose's stock baselines
(configs/baselines) build, read their bundled data and keep the shared
conventions (scope, imports, safe loading, NE evaluator, meta keys)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.registry import DATASETS, MODELS
from script_utils import REPO, config_file

import gle  # noqa: F401
from gle.datasets import FASHION_META_KEYS

GLE_DEMO = config_file('gle',
                       'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
GLE_CONTEXT = config_file(
    'gle', 'td-hm_res18w32-gle2_1xb16-30e_fashion-context-96x96.py')
BASELINES = {
    'demo':
    config_file('baselines', 'td-hm_res18_1xb16-30e_fashion-demo-96x96.py'),
    'context':
    config_file('baselines', 'td-hm_res18_1xb16-30e_fashion-context-96x96.py'),
}
ALL = [GLE_CONTEXT, *BASELINES.values()]


@pytest.mark.parametrize('path', ALL, ids=osp.basename)
def test_shared_conventions(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmpose'
    assert cfg.custom_imports == dict(
        imports=['gle'], allow_failed_imports=False)
    assert cfg.default_hooks.safe_loading == dict(
        type='SafeCheckpointLoadingHook')
    assert cfg.default_hooks.input_size_check == dict(
        type='InputSizeCheckHook')
    assert cfg.fashion_meta_keys == FASHION_META_KEYS  # from the shared base
    assert cfg.val_evaluator == dict(type='NormalizedError')
    assert cfg.test_evaluator == cfg.val_evaluator
    assert cfg.default_hooks.checkpoint.save_best == 'NE'
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        pack = cfg[name].dataset.pipeline[-1]
        assert pack.type == 'PackPoseInputs'
        assert tuple(pack.meta_keys) == FASHION_META_KEYS


def test_context_config_is_the_demo_recipe_on_fld_data():
    demo, ctx = Config.fromfile(GLE_DEMO), Config.fromfile(GLE_CONTEXT)
    # pair-aware decoding by default, as in the demo config
    assert ctx.model.head.decoder.pair_aware is True
    assert ctx.model == demo.model
    for key in ('optim_wrapper', 'param_scheduler', 'train_cfg', 'codec',
                'randomness'):
        assert ctx[key] == demo[key], key
    assert ctx.train_dataloader.dataset.pipeline == (
        demo.train_dataloader.dataset.pipeline)
    assert ctx.dataset_type == 'FLDDataset'
    assert osp.normpath(ctx.data_root) == osp.join(REPO, 'demo', 'data',
                                                   'fashion_context')


@pytest.mark.parametrize('name', sorted(BASELINES))
def test_stock_baseline_is_resnet_heatmap_head_at_stride_4(name):
    cfg = Config.fromfile(BASELINES[name])
    assert cfg.model.backbone.type == 'ResNet'
    assert cfg.model.backbone.depth == 18
    assert cfg.model.head.type == 'HeatmapHead'
    assert cfg.codec.type == 'MSRAHeatmap'
    # MMPose's decoding, with the switch the ablation's variants use
    assert cfg.model.head.decoder == dict(
        type='PairAwareHeatmap', codec=cfg.codec, pair_aware=False)
    w, h = cfg.codec.input_size
    assert cfg.codec.heatmap_size == (w // 4, h // 4)
    assert cfg.model.test_cfg.shift_heatmap is True  # right at stride 4
    init_default_scope('mmpose')
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        out = model(torch.zeros(2, 3, h, w), None, mode='tensor')
    assert out.shape == (2, 8, h // 4, w // 4)

    # the bundled data goes through the stock train pipeline to 24x24 targets
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    expected = 300 if name == 'demo' else 600
    assert len(dataset) == expected
    sample = dataset[0]
    heatmaps = sample['data_samples'].gt_fields.heatmaps
    assert tuple(heatmaps.shape) == (8, h // 4, w // 4)
    assert sample['inputs'].shape == (3, h, w)
    assert sample['data_samples'].metainfo['clothes_type'] in (1, 2, 3)
