"""Benchmark part ``eval``: the normalized error over synthetic predictions,
through the metric and through its pure function."""
import statistics
import time
from collections import OrderedDict

import numpy as np


def synthetic_predictions(n: int, seed: int = 0, k: int = 8) -> tuple:
    """Random boxes (100-240 px), ground truth inside them, predictions a few
    percent of the box away, 75% visible.

    Args:
        n (int): Number of samples.
        seed (int): Random seed. Defaults to 0.
        k (int): Landmarks per sample. Defaults to 8.

    Returns:
        tuple: ``pred`` (n, k, 2), ``gt`` (n, k, 2), ``visible`` (n, k) bool,
        ``bboxes`` (n, 4) xyxy, ``clothes`` (n,) in {1, 2, 3}.
    """
    rng = np.random.default_rng(seed)
    xy1 = rng.uniform(0, 60, (n, 2))
    wh = rng.uniform(100, 240, (n, 2))
    bboxes = np.concatenate([xy1, xy1 + wh], 1).astype(np.float32)
    gt = (xy1[:, None] +
          rng.uniform(0, 1, (n, k, 2)) * wh[:, None]).astype(np.float32)
    pred = (gt + rng.normal(0, 0.04,
                            (n, k, 2)) * wh[:, None]).astype(np.float32)
    visible = rng.random((n, k)) < 0.75
    clothes = rng.integers(1, 4, n)
    return pred, gt, visible, bboxes, clothes


def bench_eval(args, log) -> OrderedDict:
    """Time ``NormalizedError.process`` (batches of 50, as the evaluator
    feeds it) + ``evaluate``, and ``keypoint_normalized_error``.

    Args:
        args (argparse.Namespace): ``eval_samples`` of the tool.
        log (Callable[[str], None]): Progress messages.

    Returns:
        OrderedDict: Times, the NE of both paths and their difference.
    """
    import gle.evaluation
    metric_cls = getattr(gle.evaluation, 'NormalizedError', None)
    fn = getattr(gle.evaluation, 'keypoint_normalized_error', None)
    if metric_cls is None:
        return OrderedDict(
            skipped='gle.evaluation.NormalizedError is not in this checkout')
    n, batch = args.eval_samples, 50
    pred, gt, visible, bboxes, clothes = synthetic_predictions(n)
    data_samples = [
        dict(
            gt_instances=dict(
                keypoints=gt[i:i + 1],
                keypoints_visible=visible[i:i + 1].astype(np.float32),
                bboxes=bboxes[i:i + 1]),
            pred_instances=dict(keypoints=pred[i:i + 1]),
            clothes_type=int(clothes[i]),
            variation_type=0) for i in range(n)
    ]
    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel('WARNING')  # the metric logs a table per evaluate()
    try:
        metric = metric_cls()
        log(f'  NormalizedError.process over {n} samples (batches of {batch}) '
            '...')
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            metric.process(None, data_samples[i:i + batch])
        t1 = time.perf_counter()
        metrics = metric.evaluate(n)
        t2 = time.perf_counter()
    finally:
        logger.setLevel(level)
    res = OrderedDict(
        samples=n,
        landmarks=gt.shape[1],
        visible_fraction=float(visible.mean()),
        metric_process_s=t1 - t0,
        metric_evaluate_s=t2 - t1,
        metric_total_s=t2 - t0,
        NE=float(metrics['NE']))
    if fn is not None:
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            ne = fn(pred, gt, visible, bboxes)
            times.append(time.perf_counter() - t0)
        res['function'] = 'gle.evaluation.keypoint_normalized_error'
        res['function_s'] = statistics.median(times)
        res['function_NE'] = float(np.nanmean(ne))
        res['max_abs_diff_NE'] = abs(res['function_NE'] - res['NE'])
    return res
