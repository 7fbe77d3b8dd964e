"""Benchmark part ``data``: one data worker running the paper config's
training pipeline against the authors'-style preprocessing."""
import copy
import math
import os
import os.path as osp
import tempfile
import time
from collections import OrderedDict

import torch

from .authors_style_pipeline import AuthorsStylePipeline
from .paper_models import REPO_ROOT, load_config

DEMO_DATA = 'demo/data/fashion_demo'

# GPU-side assumption for "does one data worker keep up?". Dense bf16
# tensor-core peaks from the vendors' data sheets; the utilisation is an
# assumption (a conv net trained with AMP typically reaches 30-50 %).
ASSUMED_GPUS = OrderedDict([
    ('A100-SXM bf16', 312e12),
    ('H100-SXM bf16', 989e12),
])
ASSUMED_UTILISATION = 0.35


def prepare_fashion_data(dst: str, num: int, longer_side: int = 300):
    """Write the first ``num`` training items of the bundled demo data
    (DeepFashion-C raw format) to ``dst``, images upscaled to ``longer_side``
    px as in DeepFashion-C and boxes / landmarks scaled with them (rounded to
    integers, as annotated there).

    Args:
        dst (str): Output folder (``Anno/``, ``Eval/``, images).
        num (int): Number of items.
        longer_side (int): Longer image side in pixels. Defaults to 300.

    Returns:
        DeepFashionCDataset: The training split over ``dst``, no pipeline.
    """
    import cv2
    from mmpose.registry import DATASETS

    from gle.datasets.raw_annotation import read_table, write_table

    def table(*parts):
        header, rows = read_table(osp.join(src, *parts))
        return [tokens for _, tokens in rows], ' '.join(header)

    src = osp.join(REPO_ROOT, DEMO_DATA)
    part, part_hdr = table('Eval', 'list_eval_partition.txt')
    names = [r[0] for r in part if r[1] == 'train'][:num]
    keep = set(names)
    bbox, bbox_hdr = table('Anno', 'list_bbox.txt')
    lms, lms_hdr = table('Anno', 'list_landmarks.txt')
    scale = {}
    for name in names:
        img = cv2.imread(osp.join(src, name))
        h, w = img.shape[:2]
        s = longer_side / max(h, w)
        scale[name] = s
        img = cv2.resize(
            img, (round(w * s), round(h * s)), interpolation=cv2.INTER_CUBIC)
        os.makedirs(osp.dirname(osp.join(dst, name)), exist_ok=True)
        cv2.imwrite(osp.join(dst, name), img, [cv2.IMWRITE_JPEG_QUALITY, 90])

    def scaled(v, s):
        return str(int(round(float(v) * s)))

    bbox = [[r[0]] + [scaled(v, scale[r[0]]) for v in r[1:]] for r in bbox
            if r[0] in keep]
    new_lms = []
    for r in (r for r in lms if r[0] in keep):
        row = r[:2]
        for j in range(2, len(r), 3):  # visibility x y
            row += [
                r[j],
                scaled(r[j + 1], scale[r[0]]),
                scaled(r[j + 2], scale[r[0]])
            ]
        new_lms.append(row)
    write_table(osp.join(dst, 'Anno', 'list_bbox.txt'), bbox_hdr, bbox)
    write_table(osp.join(dst, 'Anno', 'list_landmarks.txt'), lms_hdr, new_lms)
    write_table(
        osp.join(dst, 'Eval', 'list_eval_partition.txt'), part_hdr,
        [[n, 'train'] for n in names])
    return DATASETS.build(
        dict(
            type='DeepFashionCDataset',
            data_root=dst,
            split='train',
            data_mode='topdown',
            pipeline=[]))


def _time_pipelines(pipeline, authors, num_images, num_samples, data_root,
                    log):
    """Seconds each pipeline spent on ``num_samples`` samples (after a
    warm-up pass), alternating sample by sample, and the last packed
    sample."""
    dataset = prepare_fashion_data(data_root, num_images)
    num_images = len(dataset)
    times = {'ours': 0.0, 'authors': 0.0}

    def run(i, record):
        j = i % num_images
        # what a worker does per sample: dataset[j] = pipeline(get_data_info)
        t0 = time.perf_counter()
        packed = pipeline(dataset.get_data_info(j))
        t1 = time.perf_counter()
        authors(dataset.get_data_info(j))
        t2 = time.perf_counter()
        if record:
            times['ours'] += t1 - t0
            times['authors'] += t2 - t1
        return packed

    log(f'  warm-up pass over {num_images} images ...')
    for i in range(num_images):
        packed = run(i, False)
    log(f'  {num_samples} samples, alternating the two pipelines ...')
    for i in range(num_samples):
        run(i, True)
    return times, packed, num_images


def _workers(train_images_per_s, res):
    return OrderedDict(
        train_images_per_s=train_images_per_s,
        workers_ours=math.ceil(train_images_per_s / res['ours_samples_per_s']),
        workers_authors=math.ceil(train_images_per_s /
                                  res['authors_samples_per_s']))


def bench_data(args,
               flops_224,
               log,
               model_results=None,
               variant_results=None) -> OrderedDict:
    """Samples/s of one single-threaded worker for both pipelines, and how
    many workers a GPU needs.

    Args:
        args (argparse.Namespace): ``ks``, ``configs``, ``data_images``,
            ``data_samples``, ``device``, ``input_size`` of the tool.
        flops_224 (dict): :func:`count_flops` at 224x224 (training cost per
            image for the GPU estimate).
        log (Callable[[str], None]): Progress messages.
        model_results (dict, optional): Part ``model`` results; on CUDA at
            224 their measured training speed adds a row.
        variant_results (dict, optional): Part ``variants`` results, ditto.

    Returns:
        OrderedDict: Samples/s of both, the speed-up, workers needed per GPU.
    """
    import cv2
    from mmcv.transforms import Compose
    cfg, cfg_path = load_config(args.ks[0], args.configs.get(args.ks[0]))
    pipeline = Compose(copy.deepcopy(cfg.train_pipeline))
    cv2_threads, torch_threads = cv2.getNumThreads(), torch.get_num_threads()
    # a DataLoader worker runs single-threaded (mmengine sets cv2 threads to 0,
    # torch uses 1 thread per worker)
    cv2.setNumThreads(0)
    torch.set_num_threads(1)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            times, packed, num_images = _time_pipelines(
                pipeline, AuthorsStylePipeline(), args.data_images,
                args.data_samples, tmp, log)
    finally:
        cv2.setNumThreads(cv2_threads)
        torch.set_num_threads(torch_threads)
    n = args.data_samples
    res = OrderedDict(
        config=osp.relpath(cfg_path, REPO_ROOT),
        dataset='DeepFashionCDataset',
        images=num_images,
        samples=n,
        image_size='300 px longer side (demo images upscaled)',
        pipeline=[t['type'] for t in cfg.train_pipeline],
        output_shape=dict(
            inputs=list(packed['inputs'].shape),
            heatmaps=list(packed['data_samples'].gt_fields.heatmaps.shape)),
        threads='1 (cv2 and torch), as in a DataLoader worker')
    res['ours_samples_per_s'] = n / times['ours']
    res['authors_samples_per_s'] = n / times['authors']
    res['speedup'] = res['ours_samples_per_s'] / res['authors_samples_per_s']
    res['meets_3x'] = bool(res['speedup'] >= 3)
    # does one worker keep up with a GPU?
    need = OrderedDict()
    per_img = flops_224['fwd_bwd_flops']
    for gpu, peak in ASSUMED_GPUS.items():
        need[f'{gpu} (estimate)'] = _workers(
            peak * ASSUMED_UTILISATION / per_img, res)
    # a measured GPU number replaces the estimate only at the paper's input
    # size
    measured = None
    if args.device.startswith('cuda') and args.input_size == 224:
        measured = _measured_train_ips(model_results, variant_results)
    if measured:
        name, ips = measured
        need[f'this device, measured ({name})'] = _workers(ips, res)
    res['gpu_assumption'] = (
        f'k={args.ks[0]} 224x224 fwd+bwd = {per_img / 1e9:.0f} GFLOP/image; '
        'training '
        f'images/s estimated as dense bf16 peak x {ASSUMED_UTILISATION:.0%} '
        'utilisation / FLOPs (an estimate, not a measurement); workers = '
        'ceil(images/s / samples/s of one worker measured here, on this CPU)')
    res['workers_needed'] = need
    res['one_worker_keeps_up'] = OrderedDict(
        (gpu, bool(v['workers_ours'] <= 1)) for gpu, v in need.items())
    return res


def _measured_train_ips(model_results, variant_results):
    """Best measured plugin fwd+bwd images/s on a CUDA device, if any."""
    best = None
    for key, res in (variant_results or {}).items():
        if isinstance(res, dict) and 'best_fwd_bwd' in res:
            name = res['best_fwd_bwd']
            ips = res[name]['fwd_bwd']['images_per_s']
            if best is None or ips > best[1]:
                best = (f'{key} {name}', ips)
    if best is None:
        for key, res in (model_results or {}).items():
            if isinstance(res, dict) and 'plugin_fwd_bwd' in res:
                ips = res['plugin_fwd_bwd']['images_per_s']
                if best is None or ips > best[1]:
                    best = (f'{key} fp32', ips)
    return best
