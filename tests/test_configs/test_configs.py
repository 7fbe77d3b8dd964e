"""Every shipped pose config builds; the two-stage recipe really carries stage
1 over; the codec and the PackPoseInputs meta keys have one definition each;
every config reports the left/right rates and can switch the pair-aware
decoding."""
import argparse
import ast
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint, save_checkpoint
from mmpose.registry import (DATASETS, KEYPOINT_CODECS, METRICS, MODELS,
                             TRANSFORMS)

import gle  # noqa: F401
from gle.datasets import FASHION_META_KEYS

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'gle')
POSE_CONFIGS = sorted(glob.glob(osp.join(CONFIG_DIR, '*.py')))
META_KEYS_BASE = osp.normpath(
    osp.join(CONFIG_DIR, '..', '_base_', 'datasets',
             'gle_fashion_meta_keys.py'))
STAGE1 = osp.join(CONFIG_DIR,
                  'td-hm_vgg16-gle0-stage1_1xb50-30e_fld-224x224.py')
STAGE2 = osp.join(CONFIG_DIR,
                  'td-hm_vgg16-gle3-stage2_1xb50-30e_fld-224x224.py')


def test_config_list_is_complete():
    names = [osp.basename(p) for p in POSE_CONFIGS]
    assert 'td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py' in names
    assert 'td-hm_vgg16-gle3_1xb50-30e_fld-224x224.py' in names
    assert any('demo' in n for n in names)


@pytest.mark.parametrize('path', POSE_CONFIGS, ids=osp.basename)
def test_pose_config_builds(path):
    cfg = Config.fromfile(path)
    with open(path) as f:
        assert f.readline().startswith(
            '#'), 'configs state what they reproduce'
    assert cfg.default_scope == 'mmpose'
    assert cfg.custom_imports == dict(
        imports=['gle'], allow_failed_imports=False)
    init_default_scope('mmpose')
    model = MODELS.build(cfg.model)
    size = cfg.codec['input_size']
    with torch.no_grad():
        out = model.eval()(
            torch.zeros(1, 3, size[1], size[0]), None, mode='tensor')
    assert out.shape == (1, 8, size[1], size[0])  # full-resolution heatmaps
    assert cfg.model.test_cfg.shift_heatmap is False
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = cfg[name].dataset
        assert DATASETS.get(dataset.type) is not None
        for t in dataset.pipeline:
            assert TRANSFORMS.get(t['type']) is not None, t['type']
        pack = dataset.pipeline[-1]
        assert {'clothes_type', 'variation_type'} <= set(pack.meta_keys)
    assert METRICS.get(cfg.val_evaluator.type) is not None
    assert cfg.default_hooks.checkpoint.save_best == 'NE'
    assert cfg.default_hooks.checkpoint.rule == 'less'
    assert cfg.auto_scale_lr.base_batch_size > 0
    # MMPoseInferencer reads these top-level keys
    assert cfg.dataset_type and cfg.data_mode == 'topdown'


#: the ablation's switch of the pair-aware decoding (docs/metrics.md)
PAIR_AWARE_ON = 'model.head.decoder.pair_aware=True'
PAIR_AWARE_OFF = 'model.head.decoder.pair_aware=False'


@pytest.mark.parametrize('path', POSE_CONFIGS, ids=osp.basename)
def test_left_right_metrics_and_pair_aware_switch(path):
    """Every config reports the LR/ rates and has the pair-aware decoding:
    on in the demo and context configs, off in the paper configs, one
    --cfg-options key to flip it."""
    cfg = Config.fromfile(path)
    for evaluator in (cfg.val_evaluator, cfg.test_evaluator):
        assert evaluator.type == 'NormalizedError'
        assert evaluator.get('left_right', True) is True
    decoder = cfg.model.head.decoder
    assert decoder.type == 'PairAwareHeatmap' and decoder.codec == cfg.codec
    assert decoder.pair_aware is any(
        s in osp.basename(path) for s in ('fashion-demo', 'fashion-context'))

    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    init_default_scope('mmpose')
    for option, expected in ((PAIR_AWARE_ON, True), (PAIR_AWARE_OFF, False)):
        switched = Config.fromfile(path)
        switched.merge_from_dict(
            parser.parse_args(['--cfg-options', option]).cfg_options)
        codec = KEYPOINT_CODECS.build(switched.model.head.decoder)
        assert codec.pair_aware is expected
        assert type(codec.codec).__name__ == cfg.codec.type


def test_paper_recipe_values():
    df = Config.fromfile(
        osp.join(CONFIG_DIR,
                 'td-hm_vgg16-gle2_1xb50-30e_deepfashion-c-224x224.py'))
    fld = Config.fromfile(
        osp.join(CONFIG_DIR, 'td-hm_vgg16-gle3_1xb50-30e_fld-224x224.py'))
    assert df.model.neck.num_modules == 2 and fld.model.neck.num_modules == 3
    for cfg in (df, fld):
        assert cfg.train_dataloader.batch_size == 50
        assert cfg.optim_wrapper.optimizer == dict(
            type='Adam', lr=1e-4, weight_decay=0.)
        assert cfg.train_cfg.max_epochs == 30
        assert cfg.param_scheduler[0].type == 'StepLR'
        assert cfg.param_scheduler[0].step_size == 5
        assert cfg.param_scheduler[0].gamma == 0.1
        assert cfg.randomness.seed == 1234
        assert cfg.codec.input_size == (224, 224) == cfg.codec.heatmap_size
        types = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
        assert 'RandomFlip' in types and 'TopdownStretchAffine' in types
        assert cfg.val_dataloader.dataset.split == 'val'
        assert cfg.test_dataloader.dataset.split == 'test'
    assert fld.train_dataloader.dataset.type == 'FLDDataset'
    assert df.train_dataloader.dataset.type == 'DeepFashionCDataset'


def test_two_stage_recipe_loads_stage1_into_stage2(tmp_path):
    init_default_scope('mmpose')
    stage1 = MODELS.build(Config.fromfile(STAGE1).model)
    assert len(list(stage1.neck.parameters())) == 0  # k=0: no GLE module
    ckpt = str(tmp_path / 'epoch_30.pth')
    save_checkpoint({'state_dict': stage1.state_dict(), 'meta': {}}, ckpt)

    cfg2 = Config.fromfile(STAGE2)
    assert cfg2.load_from.endswith('epoch_30.pth')
    assert cfg2.model.backbone.init_cfg is None
    stage2 = MODELS.build(cfg2.model)
    stage2.init_weights()
    neck_before = {k: v.clone() for k, v in stage2.neck.state_dict().items()}
    # what Runner.load_or_resume does with `load_from` (non-strict)
    load_checkpoint(stage2, ckpt, map_location='cpu', strict=False)
    for (k, v1), v2 in zip(stage1.backbone.state_dict().items(),
                           stage2.backbone.state_dict().values()):
        assert torch.equal(v1, v2), k
    for (k, v1), v2 in zip(stage1.head.state_dict().items(),
                           stage2.head.state_dict().values()):
        assert torch.equal(v1, v2), k
    assert len(
        stage2.neck.layers if hasattr(stage2.neck, 'layers') else list(
            stage2.neck.children())[0]) == 3
    for k, v in stage2.neck.state_dict().items(
    ):  # GLE modules keep their init
        assert torch.equal(v, neck_before[k]), k


def _top_level(path):
    """``{name: value node}`` of the top-level assignments of a config."""
    with open(path) as f:
        tree = ast.parse(f.read())
    return {
        t.id: node.value
        for node in tree.body if isinstance(node, ast.Assign)
        for t in node.targets if isinstance(t, ast.Name)
    }


def _config_chain(path):
    """``path`` and the repository files among its (transitive) bases."""
    chain = [osp.normpath(path)]
    base = _top_level(path).get('_base_')
    bases = ast.literal_eval(base) if base is not None else []
    for b in [bases] if isinstance(bases, str) else bases:
        if '::' not in b:  # not a package's (mmpose::...) base
            chain += _config_chain(osp.join(osp.dirname(path), b))
    return chain


@pytest.mark.parametrize('path', POSE_CONFIGS, ids=osp.basename)
def test_codec_and_meta_keys_are_defined_once(path):
    chain = _config_chain(path)
    codec_files = [p for p in chain if 'codec' in _top_level(p)]
    assert len(codec_files) == 1, ('define `codec` once per config, here in',
                                   codec_files)
    keys_files = [p for p in chain if 'fashion_meta_keys' in _top_level(p)]
    assert keys_files == [META_KEYS_BASE]

    cfg = Config.fromfile(path)
    # decoded through PairAwareHeatmap, which wraps the same codec
    assert cfg.model.head.decoder.codec == cfg.codec
    assert cfg.fashion_meta_keys == FASHION_META_KEYS
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        for t in cfg[name].dataset.pipeline:
            if t['type'] == 'PackPoseInputs':
                assert tuple(t['meta_keys']) == FASHION_META_KEYS, name
            if t['type'] == 'GenerateTarget':
                assert t['encoder'] == cfg.codec, name
            if t['type'] in ('TopdownStretchAffine', 'TopdownAffine'):
                assert tuple(t['input_size']) == cfg.codec.input_size, name
