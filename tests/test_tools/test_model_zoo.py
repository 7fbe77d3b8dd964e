"""Model zoo: a short demo run with the TensorBoard backend writes event
files; tools/misc/publish_model.py makes a release file that loads with
plain weights-only torch.load into MMPose's init_model and MMPoseInferencer;
model-index.yml reads the way MMPose's inferencers read metafiles."""
import glob
import hashlib
import os.path as osp
import pickle
import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.fileio import load

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
DEMO = osp.join(REPO, 'configs', 'gle',
                'td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96.py')
SAMPLE = osp.join(REPO, 'tests', 'data', 'fld_coco_sample', 'img_00000132.jpg')
PUBLISH = osp.join(REPO, 'tools', 'misc', 'publish_model.py')
LANDMARKS = ('left_collar', 'right_collar', 'left_sleeve', 'right_sleeve',
             'left_waistline', 'right_waistline', 'left_hem', 'right_hem')

sys.path.insert(0, osp.dirname(PUBLISH))
import publish_model  # noqa: E402


@pytest.fixture(scope='module')
def short_run(tmp_path_factory):
    """One epoch of 16 demo images with the README's one-line TensorBoard
    switch; returns the work dir."""
    work = tmp_path_factory.mktemp('short_run')
    proc = subprocess.run([
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), DEMO, '--work-dir',
        str(work), '--cfg-options',
        'visualizer.vis_backends.0.type=TensorboardVisBackend',
        'train_cfg.max_epochs=1', 'train_dataloader.dataset.indices=16',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'default_hooks.logger.interval=1'
    ],
                          capture_output=True,
                          text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return work


def test_tensorboard_backend_writes_event_files(short_run):
    from tensorboard.backend.event_processing.event_accumulator import \
        EventAccumulator
    (events, ) = glob.glob(
        str(short_run / '*' / 'vis_data' / 'events.out.tfevents.*'))
    acc = EventAccumulator(events)
    acc.Reload()
    assert {'loss', 'loss_kpt', 'lr'} <= set(acc.Tags()['scalars'])
    (loss, ) = acc.Scalars('loss')  # one logged iteration
    assert np.isfinite(loss.value) and loss.value > 0
    assert 'config' in ''.join(acc.Tags()['tensors'])


def test_published_checkpoint_loads_without_allow_list(short_run, tmp_path,
                                                       capsys):
    trained = str(short_run / 'epoch_1.pth')
    # a training checkpoint needs the allow-list (numpy, HistoryBuffer)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(trained, weights_only=True)
    publish_model.main([trained, str(tmp_path / 'demo.pth')])
    stdout = capsys.readouterr().out
    (final, ) = glob.glob(str(tmp_path / 'demo-*.pth'))
    # MMPose's model-zoo name: <stem>-<sha256[:8]>_<YYYYMMDD>.pth
    match = re.fullmatch(r'demo-([0-9a-f]{8})_(\d{8})\.pth',
                         osp.basename(final))
    assert match, final
    with open(final, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    assert sha.startswith(match.group(1)) and f'sha256: {sha}' in stdout
    assert 'message_hub' in stdout and 'optimizer' in stdout

    published = torch.load(final, weights_only=True)  # no allow-list at all
    assert set(published) == {'meta', 'state_dict'}
    assert published['meta']['epoch'] == 1
    assert 'dataset_meta' not in published['meta']
    with publish_model.safe_checkpoint_loading():
        original = torch.load(trained, weights_only=True)['state_dict']
    assert published['state_dict'].keys() == original.keys()
    for key, value in original.items():
        assert torch.equal(published['state_dict'][key], value), key

    # MMPose's own API, outside any allow-list: weights and dataset_meta
    # (rebuilt from the config) as trained
    from mmpose.apis import inference_topdown, init_model
    model = init_model(DEMO, final, device='cpu')
    for key, value in model.state_dict().items():
        assert torch.equal(value, original[key]), key
    assert model.dataset_meta['num_keypoints'] == 8
    assert model.dataset_meta['flip_indices'] == [1, 0, 3, 2, 5, 4, 7, 6]
    (result, ) = inference_topdown(model, SAMPLE, np.array([[1, 1, 200, 250]]))
    assert result.pred_instances.keypoints.shape == (1, 8, 2)


def test_mmpose_inferencer_with_config_and_published_weights(
        short_run, tmp_path):
    from mmpose.apis import MMPoseInferencer
    final, _ = publish_model.publish(
        str(short_run / 'epoch_1.pth'), str(tmp_path / 'demo.pth'))
    inferencer = MMPoseInferencer(
        pose2d=DEMO,
        pose2d_weights=final,
        det_model='whole_image',
        device='cpu')
    (result, ) = list(inferencer(SAMPLE, return_vis=False))
    (instance, ) = result['predictions'][0]
    assert len(instance['keypoints']) == 8
    # MMPose resolves model NAMES only in its own model-index.yml (scope
    # 'mmpose'), not in a plugin's: the documented way is config + weights
    with pytest.raises(ValueError, match='Cannot find model'):
        MMPoseInferencer(
            pose2d='td-hm_res18w32-gle2_1xb16-30e_fashion-demo-96x96')


def test_publish_refuses_a_non_checkpoint(tmp_path):
    torch.save({'weights': torch.zeros(1)}, tmp_path / 'bad.pth')
    with pytest.raises(ValueError, match='no "state_dict"'):
        publish_model.publish(
            str(tmp_path / 'bad.pth'), str(tmp_path / 'out.pth'))
    assert not glob.glob(str(tmp_path / 'out*'))


def test_model_index_reads_like_mmpose_metafiles():
    from mmengine.infer import BaseInferencer

    # exactly how MMPose's inferencers walk a repo's model-index.yml
    models = list(BaseInferencer._get_models_from_metafile(REPO))
    assert models, 'model-index.yml imports no model'
    names = [m['Name'] for m in models]
    assert len(set(names)) == len(names)
    zoo_readme = open(osp.join(REPO, 'configs', 'gle', 'README.md')).read()
    collections = {
        c['Name']: c
        for path in load(osp.join(REPO, 'model-index.yml'))['Import']
        for c in load(osp.join(REPO, path)).get('Collections', [])
    }
    for model in models:
        config = osp.join(REPO, model['Config'])
        assert osp.isfile(config), config
        assert model['Name'] == osp.splitext(osp.basename(config))[0]
        assert collections[model['In Collection']]['Paper']['Title']
        assert model['Metadata']['Architecture'][0] == 'GLE'
        assert model['Metadata']['Training Data']
        (result, ) = model['Results']
        metrics = result['Metrics']
        assert {'NE', 'PCK@0.2', 'AUC', 'EPE'} <= set(metrics)
        assert {f'NE/{n}' for n in LANDMARKS} <= set(metrics)
        assert all(isinstance(v, (int, float)) for v in metrics.values())
        assert result['Dataset'] == model['Metadata']['Training Data']
        # every entry has weights, and the zoo page shows its numbers
        assert model['Weights'].endswith('.pth')
        assert model['Name'] in zoo_readme
        assert f'{metrics["NE"]:.4f}'.lstrip('0') in zoo_readme
