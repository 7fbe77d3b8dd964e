"""tools/analysis/pair_heatmaps.py: the channel difference, and the tool on a
model whose two hem channels are made the same map."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import save_checkpoint
from script_utils import load_script

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'gle',
                  'td-hm_res18w32-gle2_1xb16-30e_fashion-context-96x96.py')
FEW = ['test_dataloader.dataset.indices=12']

tool = load_script(
    osp.join(REPO, 'tools', 'analysis', 'pair_heatmaps.py'), 'pair_heatmaps')


def test_channel_difference():
    peak_a = np.zeros((1, 8, 8))
    peak_a[0, 2, 2] = 0.8
    peak_b = np.zeros((1, 8, 8))
    peak_b[0, 5, 6] = 0.4
    both = peak_a + peak_b
    assert tool.channel_difference(both, both.copy())[0] == 0
    # each channel only its own peak: the larger peak is all the difference
    assert tool.channel_difference(peak_a, peak_b)[0] == pytest.approx(1.0)
    # a second channel at half the height of the first
    assert tool.channel_difference(both, both / 2)[0] == pytest.approx(0.5)
    # nowhere positive: 0, not NaN
    zeros = np.zeros((1, 8, 8))
    assert tool.channel_difference(zeros, zeros)[0] == 0


@pytest.fixture(scope='module')
def same_hem_checkpoint(tmp_path_factory):
    """Random weights, except that the hem channels (6, 7) of the head's
    last layer are equal: the two hem heatmaps are the same map."""
    init_default_scope('mmpose')
    from mmpose.registry import MODELS

    import gle  # noqa: F401
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(CONFIG).model)
    final = model.head.final_layer
    with torch.no_grad():
        final.weight[7] = final.weight[6]
        final.bias[7] = final.bias[6]
    path = str(tmp_path_factory.mktemp('ckpt') / 'same_hem.pth')
    save_checkpoint(model.state_dict(), path)
    return path


def test_tool_finds_the_identical_pair(same_hem_checkpoint, tmp_path):
    out = tmp_path / 'stats.json'
    figure = tmp_path / 'hem.png'
    stats = tool.main([
        CONFIG, same_hem_checkpoint, '--out',
        str(out), '--out-figure',
        str(figure), '--num-items', '2', '--cfg-options', *FEW
    ])
    hem = stats['hem']
    assert hem['channels'] == [6, 7]
    assert hem['items'] > 0
    assert hem['median_difference'] == 0 and hem['same_share'] == 1
    # the other pairs keep their own random channels
    for name in ('collar', 'sleeve', 'waistline'):
        if stats[name]['items']:
            assert stats[name]['median_difference'] > 0.1, name
            assert stats[name]['same_share'] == 0, name
    assert json.loads(out.read_text())['pairs']['hem']['same_share'] == 1
    import cv2
    img = cv2.imread(str(figure))
    assert img is not None and img.shape[0] > img.shape[1] / 3 * 1.5


def test_tool_rejects_an_unknown_pair(same_hem_checkpoint):
    with pytest.raises(SystemExit, match='collar'):
        tool.main([
            CONFIG, same_hem_checkpoint, '--pair', 'cuff', '--cfg-options',
            *FEW
        ])
