"""FashionLandmarkInferencer(backend='onnxruntime') against the PyTorch
backend, on random-weight checkpoints exported with
tools/deployment/pytorch2onnx.py: the same JSON and drawings with the
detector, with given boxes and on whole images; no PyTorch operator on its
path; and the errors for files and arguments that do not fit."""
import collections
import os.path as osp
from types import SimpleNamespace

import cv2
import pytest
from backend_parity import (BOX_TOL, IMAGES, assert_same_result,
                            differing_pixels)
from deploy_checkpoints import DEMO_CONFIG, DET_CONFIG, PAPER_K2
from log_capture import mmengine_messages
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from gle.apis import FashionLandmarkInferencer, ONNXPoseEstimator
from gle.apis.backends import check_export_fits_config
from gle.deployment import ONNXDetector, ONNXPoseModel

# the random detector scores hundreds of boxes: keep the best few
DET_THR = 0.95
ROWS = [[20, 10, 180, 150, 0.9, 'upper'], [10, 60, 150, 240, 'lower'],
        [5, 5, 195, 245, None, 'full']]


@pytest.fixture(scope='module')
def pytorch(demo_onnx):
    return FashionLandmarkInferencer(
        DEMO_CONFIG,
        demo_onnx.pose_ckpt,
        device='cpu',
        det_model=DET_CONFIG,
        det_weights=demo_onnx.det_ckpt)


@pytest.fixture(scope='module')
def ort(demo_onnx):
    return FashionLandmarkInferencer(
        DEMO_CONFIG,
        backend='onnxruntime',
        onnx=demo_onnx.pose,
        det_onnx=demo_onnx.det,
        num_threads=1)


def _run(inferencer, **kwargs):
    """JSON dicts and drawings (RGB) of the test images."""
    results = list(inferencer(list(IMAGES), return_vis=True, **kwargs))
    return [r['predictions'][0] for r in results], \
        [r['visualization'][0] for r in results]


@pytest.fixture(scope='module')
def reference(pytorch):
    """The PyTorch backend's results with the detector."""
    return _run(pytorch, bbox_thr=DET_THR)


def test_the_backends_are_what_they_say(ort):
    assert isinstance(ort.model, ONNXPoseEstimator)
    assert isinstance(ort.heatmap_model, ONNXPoseModel)
    assert isinstance(ort.detector, ONNXDetector)
    assert ort.pipeline == ort.model.pack  # cv2/numpy crops


def test_detector_and_pose_give_the_pytorch_results(reference, ort):
    ref, ref_drawn = reference
    ours, drawn = _run(ort, bbox_thr=DET_THR)
    items = [
        assert_same_result(a, b, box_tol=BOX_TOL) for a, b in zip(ours, ref)
    ]
    assert all(n > 1 for n in items) and sum(items) > 50
    assert all(i['box_source'] == 'detector' for r in ours
               for i in r['instances'])
    # boxes 1e-2 px apart can round to other pixels
    assert max(differing_pixels(a, b)
               for a, b in zip(drawn, ref_drawn)) < 0.005


def test_the_pytorch_detector_with_the_onnxruntime_pose_model(
        reference, demo_onnx):
    mixed = FashionLandmarkInferencer(
        DEMO_CONFIG,
        backend='onnxruntime',
        onnx=demo_onnx.pose,
        det_model=DET_CONFIG,
        det_weights=demo_onnx.det_ckpt)
    ref, ref_drawn = reference
    ours, drawn = _run(mixed, bbox_thr=DET_THR)
    for a, b in zip(ours, ref):
        assert assert_same_result(a, b) > 1  # the very same boxes
    assert all(differing_pixels(a, b) == 0 for a, b in zip(drawn, ref_drawn))


def test_given_boxes_and_whole_images_give_the_pytorch_results(
        pytorch, ort, demo_onnx):
    # given boxes: the detector is not used
    ref, ref_drawn = _run(pytorch, bboxes=[ROWS] * len(IMAGES))
    ours, drawn = _run(ort, bboxes=[ROWS] * len(IMAGES))
    for a, b in zip(ours, ref):
        assert assert_same_result(a, b) == 3
        assert [i['clothes_type']
                for i in a['instances']] == ['upper', 'lower', 'full']
    assert all(differing_pixels(a, b) == 0 for a, b in zip(drawn, ref_drawn))
    # no detector: the whole image
    whole = [
        FashionLandmarkInferencer(
            DEMO_CONFIG, demo_onnx.pose_ckpt, device='cpu'),
        FashionLandmarkInferencer(
            DEMO_CONFIG, backend='onnxruntime', onnx=demo_onnx.pose)
    ]
    ref, ref_drawn = _run(whole[0])
    ours, drawn = _run(whole[1])
    for a, b in zip(ours, ref):
        assert assert_same_result(a, b) == 1
        assert a['instances'][0]['box_source'] == 'whole_image'
    assert all(differing_pixels(a, b) == 0 for a, b in zip(drawn, ref_drawn))


def test_the_datasamples_have_the_same_fields(pytorch, ort):
    image = cv2.imread(IMAGES[0])
    [a] = next(ort(image, bboxes=[ROWS],
                   return_datasamples=True))['predictions']
    [b] = next(pytorch(image, bboxes=[ROWS],
                       return_datasamples=True))['predictions']
    assert sorted(a.metainfo) == sorted(b.metainfo)
    assert sorted(a.pred_instances.keys()) == sorted(b.pred_instances.keys())
    for key in ('input_center', 'input_scale', 'input_size', 'ori_shape'):
        assert (a.metainfo[key] == b.metainfo[key]).all() if hasattr(
            a.metainfo[key], 'all') else a.metainfo[key] == b.metainfo[key]
    for key, value in b.pred_instances.items():
        assert type(a.pred_instances.get(key)) is type(value), key
        assert getattr(a.pred_instances.get(key), 'dtype',
                       None) == getattr(value, 'dtype', None), key


class _TorchCalls(TorchFunctionMode):
    """Counts the torch functions called inside it."""

    def __init__(self):
        super().__init__()
        self.calls = collections.Counter()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.calls[getattr(func, '__name__', str(func))] += 1
        return func(*args, **(kwargs or {}))


class _TorchOps(TorchDispatchMode):
    """Counts the ATen operators run inside it."""

    def __init__(self):
        super().__init__()
        self.ops = collections.Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.ops[str(func)] += 1
        return func(*args, **(kwargs or {}))


def _torch_use(inferencer):
    with _TorchOps() as ops, _TorchCalls() as calls:
        for _ in inferencer(IMAGES[0], return_vis=True, bbox_thr=DET_THR):
            pass
    return ops.ops, calls.calls


def test_no_torch_operator_on_the_onnxruntime_path(pytorch, ort):
    ops, calls = _torch_use(ort)
    assert not ops
    # the only torch calls: torch.no_grad around mmengine's forward
    assert set(calls) <= {'_set_grad_enabled'}
    # the counters see the PyTorch backend's work
    ops, calls = _torch_use(pytorch)
    assert ops['aten.convolution.default'] > 0 and calls['conv2d'] > 0


def test_bad_onnx_files_are_named(demo_onnx, tmp_path):

    def build(**kwargs):
        return FashionLandmarkInferencer(
            DEMO_CONFIG, backend='onnxruntime', **kwargs)

    missing = str(tmp_path / 'missing.onnx')
    with pytest.raises(FileNotFoundError, match=f'not found: {missing}'):
        build(onnx=missing)
    with pytest.raises(ValueError) as e:
        build(onnx=demo_onnx.det)  # the detector as the pose model
    assert demo_onnx.det in str(e.value) and '--det-onnx' in str(e.value)
    with pytest.raises(ValueError) as e:
        build(onnx=demo_onnx.pose, det_onnx=demo_onnx.pose)
    assert 'is a pose (landmark) model' in str(e.value)
    assert '--onnx' in str(e.value)
    # exported from the demo config, run with a paper config
    with pytest.raises(ValueError) as e:
        FashionLandmarkInferencer(
            PAPER_K2, backend='onnxruntime', onnx=demo_onnx.pose)
    message = str(e.value)
    assert demo_onnx.pose in message and PAPER_K2 in message
    assert 'network input: 96x96 in the file, 224x224 crops' in message
    assert 'preprocessing.input_size: (96, 96) in the file, (224, 224)' \
        in message
    assert 'pytorch2onnx.py' in message


def test_settings_that_differ_from_the_config_are_listed(ort):
    pose = ort.model.runtime
    meta = dict(pose.meta)
    meta['decoder'] = dict(meta['decoder'], pair_aware=False)
    meta['test_cfg'] = dict(meta['test_cfg'], flip_test=False)
    meta['dataset_meta'] = dict(
        meta['dataset_meta'], flip_indices=tuple(range(8)))
    other = SimpleNamespace(
        meta=meta, session=pose.session, onnx_file='other.onnx')
    with pytest.raises(ValueError) as e:
        check_export_fits_config(other, ort.cfg,
                                 ort.model.preprocessor.to_dict(),
                                 ort.model.dataset_meta)
    message = str(e.value)
    assert message.startswith(f'other.onnx does not fit {DEMO_CONFIG}')
    for line in ('decoder.pair_aware: False in the file, True in the config',
                 'test_cfg.flip_test: False in the file, True in the config',
                 'flip_indices: (0, 1, 2, 3, 4, 5, 6, 7) in the file, '
                 '(1, 0, 3, 2, 5, 4, 7, 6) in the config'):
        assert line in message
    # the file's own settings pass
    check_export_fits_config(pose, ort.cfg, ort.model.preprocessor.to_dict(),
                             ort.model.dataset_meta)


@pytest.mark.parametrize('kwargs, match', [
    (dict(backend='tensorrt'), "backend must be 'pytorch' or"),
    (dict(backend='onnxruntime'), "pass it as onnx='pose.onnx'"),
    (dict(onnx='pose.onnx'), 'onnx .--onnx. set the onnxruntime backend'),
    (dict(num_threads=2), 'num_threads'),
    (dict(backend='onnxruntime', onnx='p.onnx', weights='p.onnx'),
     'p.onnx is an ONNX file, given as the pose checkpoint'),
    (dict(
        backend='onnxruntime',
        onnx='p.onnx',
        det_onnx='d.onnx',
        det_model=DET_CONFIG,
        det_weights='d.pth'), 'two clothing detectors'),
    (dict(backend='onnxruntime', onnx='p.onnx',
          device='cuda'), 'runs on the CPU')
])
def test_argument_combinations_that_cannot_work(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FashionLandmarkInferencer(DEMO_CONFIG, **kwargs)


def test_the_checkpoint_is_not_read(demo_onnx):
    exported_from = osp.basename(demo_onnx.pose_ckpt)
    for weights, level_word in (('work_dirs/not/there.pth', True),
                                (demo_onnx.pose_ckpt, False)):
        with mmengine_messages() as messages:
            FashionLandmarkInferencer(
                DEMO_CONFIG,
                weights,
                backend='onnxruntime',
                onnx=demo_onnx.pose)
        [message] = [m for m in messages if 'is not read' in m]
        assert weights in message and demo_onnx.pose in message
        # another name: a stale export or the wrong file
        assert (f'exported from {exported_from}, not from this checkpoint'
                in message) == level_word
