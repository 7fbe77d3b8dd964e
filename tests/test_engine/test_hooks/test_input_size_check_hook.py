"""InputSizeCheckHook: a decoder, encoder or crop of another input_size is
refused at before_run, naming every key and value."""
import glob
import os.path as osp
from types import SimpleNamespace

import pytest
from mmengine.config import Config
from mmengine.registry import HOOKS

import gle  # noqa: F401  (registration)
from gle.engine.input_size_check_hook import (check_input_sizes,
                                              find_input_sizes)

REPO = osp.dirname(
    osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
POSE_CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'gle', '*.py')))
DEMO = osp.join(REPO, 'configs', 'gle',
                'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')


def _before_run(cfg):
    hook = HOOKS.build(dict(type='InputSizeCheckHook'))
    hook.before_run(SimpleNamespace(cfg=cfg))


@pytest.mark.parametrize('config', POSE_CONFIGS, ids=osp.basename)
def test_every_pose_config_runs_the_check_and_passes(config):
    cfg = Config.fromfile(config)
    assert cfg.default_hooks.input_size_check.type == 'InputSizeCheckHook'
    sizes = find_input_sizes(cfg)
    keys = [key for key, _ in sizes]
    # the codec PairAwareHeatmap decodes with
    assert keys[0] == 'model.head.decoder.codec.input_size'
    # decoder, train crop + encoder, val crop, test crop
    assert len(sizes) == 5, keys
    assert any('GenerateTarget' in key for key in keys)
    _before_run(cfg)  # consistent: no error


@pytest.mark.parametrize(
    'options, words', [
        ({
            'model.head.decoder.codec.input_size': (192, 192)
        }, [
            'model.head.decoder.codec.input_size=(192, 192)',
            'train_dataloader.dataset.pipeline[3] '
            '(TopdownStretchAffine).input_size=(96, 96)',
            'test_dataloader.dataset.pipeline[2] '
            '(TopdownStretchAffine).input_size=(96, 96)',
            'train_dataloader.dataset.pipeline[4] '
            '(GenerateTarget).encoder.input_size=(96, 96)'
        ]),
        ({
            'train_dataloader.dataset.pipeline.4.encoder.input_size': (128, 96)
        }, [
            'model.head.decoder.codec.input_size=(96, 96)',
            '(GenerateTarget).encoder.input_size=(128, 96)',
            'agreeing: train_dataloader.dataset.pipeline[3]'
        ]),
        ({
            'val_dataloader.dataset.pipeline.2.input_size': [112, 112]
        }, [
            'val_dataloader.dataset.pipeline[2] '
            '(TopdownStretchAffine).input_size=(112, 112)'
        ]),
    ],
    ids=['decoder', 'encoder', 'val-crop'])
def test_mismatch_names_keys_and_values(options, words):
    cfg = Config.fromfile(DEMO)
    cfg.merge_from_dict(options)
    with pytest.raises(ValueError) as e:
        _before_run(cfg)
    msg = str(e.value)
    for word in words:
        assert word in msg, msg
    assert 'Fix: ' in msg


def test_wrapped_datasets_and_scoped_types_are_checked():
    cfg = Config.fromfile(DEMO)
    inner = cfg.test_dataloader.dataset
    inner.pipeline[2] = dict(type='mmpose.TopdownAffine', input_size=(64, 64))
    cfg.test_dataloader.dataset = dict(
        type='ConcatDataset',
        datasets=[dict(type='RepeatDataset', dataset=inner, times=2)])
    with pytest.raises(ValueError) as e:
        check_input_sizes(cfg)
    assert ('test_dataloader.dataset.datasets[0].dataset.pipeline[2] '
            '(TopdownAffine).input_size=(64, 64)') in str(e.value)


def test_configs_without_codec_pass():
    check_input_sizes(dict(model=dict(type='RTMDet')))
    check_input_sizes(
        Config.fromfile(
            osp.join(REPO, 'configs', 'det',
                     'rtmdet-tiny_1xb8-20e_fashion-demo-det.py')))


def test_unwrapped_decoder_is_checked_too():
    """A config whose head decodes with the codec itself (no
    PairAwareHeatmap) reports the decoder's own key."""
    cfg = Config.fromfile(DEMO)
    cfg.model.head.decoder = dict(cfg.codec, input_size=(64, 64))
    with pytest.raises(ValueError) as e:
        _before_run(cfg)
    assert 'model.head.decoder.input_size=(64, 64)' in str(e.value)
