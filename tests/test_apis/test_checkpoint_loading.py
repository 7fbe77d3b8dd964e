"""load_checkpoint_checked: what fits loads, what does not is an error that
names the file and what does not fit."""
import pytest
import torch
from log_capture import mmengine_messages
from random_checkpoints import POSE_CONFIG

from gle.apis import CheckpointMismatchError, load_checkpoint_checked
from gle.utils import safe_checkpoint_loading


@pytest.fixture(scope='module')
def state(checkpoints):
    with safe_checkpoint_loading():
        return torch.load(checkpoints['pose'])['state_dict']


@pytest.fixture
def model():
    from mmpose.apis import init_model
    torch.manual_seed(1)  # other weights than the checkpoint's
    return init_model(POSE_CONFIG, None, device='cpu')


@pytest.fixture
def mmengine_log():
    with mmengine_messages() as messages:
        yield messages


def _save(tmp_path, state_dict):
    path = str(tmp_path / 'x.pth')
    torch.save(dict(state_dict=state_dict), path)
    return path


def _same_weights(model, state_dict):
    return all(
        torch.equal(v, state_dict[k]) for k, v in model.state_dict().items()
        if k in state_dict)


def test_loads_and_strips_a_wrapper_prefix(model, state, tmp_path):
    assert not _same_weights(model, state)
    wrapped = {'module.' + k: v for k, v in state.items()}
    ckpt = load_checkpoint_checked(model, _save(tmp_path, wrapped))
    assert set(ckpt['state_dict']) == set(wrapped)
    assert _same_weights(model, state)


def test_extra_weights_are_ignored_with_a_warning(model, state, tmp_path,
                                                  mmengine_log):
    extra = dict(state, **{'teacher.conv.weight': torch.zeros(2)})
    load_checkpoint_checked(model, _save(tmp_path, extra))
    assert _same_weights(model, state)
    [message] = [m for m in mmengine_log if 'checkpoint' in m]
    assert '1 weight(s) the model does not use' in message
    assert "'teacher.conv.weight'" in message


def test_batchnorm_counters_may_be_missing(model, state, tmp_path):
    no_counters = {
        k: v
        for k, v in state.items() if not k.endswith('num_batches_tracked')
    }
    assert len(no_counters) < len(state)
    load_checkpoint_checked(model, _save(tmp_path, no_counters))
    assert _same_weights(model, state)


def test_missing_and_reshaped_weights(model, state, tmp_path):
    key = 'head.final_layer.weight'
    path = _save(tmp_path, {k: v for k, v in state.items() if k != key})
    with pytest.raises(CheckpointMismatchError) as info:
        load_checkpoint_checked(model, path, config='my_config.py')
    message = str(info.value)
    assert path in message and 'my_config.py' in message
    assert "1 of the model's" in message and repr(key) in message
    assert 'use the config it was trained with' in message

    path = _save(tmp_path, dict(state, **{key: torch.zeros(3)}))
    with pytest.raises(CheckpointMismatchError) as info:
        load_checkpoint_checked(model, path)
    assert (f'1 have another shape (e.g. {key!r}: (3,) in the file, '
            f'{tuple(state[key].shape)} in the model)') in str(info.value)


@pytest.mark.parametrize('content', [dict(state_dict=5), [1, 2]])
def test_no_state_dict(model, tmp_path, content):
    path = str(tmp_path / 'odd.pth')
    torch.save(content, path)
    with pytest.raises(CheckpointMismatchError, match='holds no state dict'):
        load_checkpoint_checked(model, path)
