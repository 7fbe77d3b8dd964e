from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpose.registry import METRICS
from mmpose.utils.tensor_utils import to_numpy
from torch import Tensor

from ..datasets.fashion_layout import (CLOTHES_TYPES, LANDMARK_NAMES,
                                       VARIATION_TYPES)
from ..utils.left_right_pairs import dataset_pairs, pair_name
from .functional import keypoint_normalized_error
from .left_right import (COLLAPSE_RATIO, LR_OUTCOMES, left_right_outcomes,
                         left_right_rates)
from .metric_tables import lr_table, ne_table


@METRICS.register_module()
class NormalizedError(BaseMetric):
    """Normalized error (NE), the DeepFashion-C / FLD landmark benchmark
    metric, exactly as in GLE (Lee et al. 2019) and its predecessors.

    For sample i and landmark k with ground-truth box width ``w_i = x2 - x1``
    and height ``h_i = y2 - y1``::

        d_ik = sqrt(((px - gx) / w_i) ** 2 + ((py - gy) / h_i) ** 2)
        NE_k = mean of d_ik over the samples where landmark k is visible
        NE   = unweighted mean of NE_k over the landmarks with >= 1 visible
               instance

    Only visible landmarks (annotation code 0, ``keypoints_visible > 0.5``)
    count; occluded, truncated and absent ones are ignored. A landmark with
    no visible instance reports NaN as ``NE/<name>`` and is left out of the
    mean (a warning in the log says so). If nothing at all is visible, NE is
    NaN and a warning is logged (no exception, so that a training run's
    validation does not crash on a tiny split). A perfect prediction scores
    exactly 0.0.

    Reads, per data sample (dicts, as mmengine's ``Evaluator`` passes them):
    ``gt_instances.keypoints`` (N, K, 2), ``gt_instances.keypoints_visible``
    (N, K) (a trailing axis, e.g. (N, K, 1) or (N, K, 2), is reduced to its
    first channel), ``gt_instances.bboxes`` (N, 4) xyxy and
    ``pred_instances.keypoints`` (N, K, 2), all in one frame (mmpose's
    top-down data samples carry the original image frame). Optional
    top-level ``clothes_type`` / ``variation_type`` (packed with
    ``gle.datasets.FASHION_META_KEYS``) enable the breakdowns.

    Returned keys (no prefix unless ``prefix`` is given):

    - ``NE`` and ``NE/<landmark name>`` for every landmark (``left_collar``
      ... ``right_hem``, or the dataset's names);
    - with ``breakdown=True`` and samples carrying the types:
      ``NE/upper``, ``NE/lower``, ``NE/full`` (NE over the samples of that
      clothes type) and ``NE/variation_1`` ... ``NE/variation_5`` (FLD
      variation types; 0 = unknown, as in DeepFashion-C, gets none). Only
      the types present in the evaluated samples are reported.
    - with ``left_right=True``, the left/right outcomes of the pairs whose
      both landmarks are visible (definitions:
      :mod:`gle.evaluation.left_right`, docs/metrics.md), rates in [0, 1]:
      ``LR/correct``, ``LR/swapped``, ``LR/collapsed``, ``LR/one_off``
      (shares of the evaluated pairs), ``LR/wrong_side`` (share of their
      landmarks nearer the partner's ground truth) and ``LR/num_pairs``;
      ``LR/<pair>/<outcome>`` and ``LR/<pair>/wrong_side`` for every pair
      (``collar``, ``sleeve``, ``waistline``, ``hem``); with the breakdown,
      ``LR/<subset>/wrong_side`` and ``LR/<subset>/collapsed`` for the same
      subsets as NE (``upper``, ``variation_1``, ...). A rate with no
      evaluated pair behind it is NaN.

    The pairs come from the dataset metainfo's ``flip_indices`` (the GLE
    layout's (0, 1) (2, 3) (4, 5) (6, 7) when the metric has no dataset
    meta and 8 landmarks).

    At the end it logs paper-style tables (L.Collar ... R.Hem, Avg, four
    decimals like ``.0312``), one row per subset, plus visible counts, then
    the left/right rates per pair. Per-sample arrays are stored in
    ``self.results``, so distributed evaluation collects them across ranks
    before computing.

    Args:
        breakdown (bool): Report per clothes type / variation type.
            Default: ``True``.
        left_right (bool): Report the left/right outcome rates. Default:
            ``True``.
        collapse_ratio (float): Collapse fraction of the left/right
            outcomes. Default: 0.25 (``left_right.COLLAPSE_RATIO``).
        collect_device (str): ``'cpu'`` or ``'gpu'``. Default: ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Default: none.
    """

    #: no prefix by default: keys are ``NE``, ``NE/<name>``...
    default_prefix: Optional[str] = ''

    def __init__(self,
                 breakdown: bool = True,
                 left_right: bool = True,
                 collapse_ratio: float = COLLAPSE_RATIO,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0 < collapse_ratio <= 1:
            raise ValueError('NormalizedError.collapse_ratio must be in '
                             f'(0, 1], got {collapse_ratio}')
        self.breakdown = breakdown
        self.left_right = left_right
        self.collapse_ratio = collapse_ratio

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Store the per-sample arrays needed by :meth:`compute_metrics`.

        Args:
            data_batch: A batch from the dataloader (unused).
            data_samples (Sequence[dict]): The model outputs as dicts.
        """
        for sample in data_samples:
            gt = sample['gt_instances']
            gt_kpts = to_numpy(gt['keypoints'])[..., :2]
            num, num_kpts = gt_kpts.shape[:2]
            visible = to_numpy(gt['keypoints_visible'])
            if visible.ndim == 3:
                visible = visible[..., 0]
            visible = visible.reshape(num, num_kpts) > 0.5
            bboxes = to_numpy(gt['bboxes']).reshape(num, 4)
            pred = to_numpy(sample['pred_instances']['keypoints'])[..., :2]
            if pred.shape != gt_kpts.shape:
                raise ValueError(
                    f'{self.__class__.__name__}: predicted keypoints '
                    f'{pred.shape} do not match ground truth '
                    f'{gt_kpts.shape}')
            self.results.append(
                dict(
                    pred=pred.astype(np.float32),
                    gt=gt_kpts.astype(np.float32),
                    visible=visible,
                    bboxes=bboxes.astype(np.float32),
                    clothes_type=self._per_instance(
                        sample.get('clothes_type'), num),
                    variation_type=self._per_instance(
                        sample.get('variation_type'), num)))

    @staticmethod
    def _per_instance(value, num: int) -> np.ndarray:
        """A sample's type as (N,) ints; -1 when the sample has none."""
        if value is None:
            return np.full(num, -1, dtype=np.int64)
        if isinstance(value, Tensor):
            value = to_numpy(value)
        return np.broadcast_to(
            np.asarray(value).astype(np.int64).reshape(-1), (num, )).copy()

    def _landmark_names(self, num_kpts: int) -> List[str]:
        meta = self.dataset_meta or {}
        id2name = meta.get('keypoint_id2name')
        if id2name and len(id2name) == num_kpts:
            return [id2name[k] for k in range(num_kpts)]
        if num_kpts == len(LANDMARK_NAMES):
            return list(LANDMARK_NAMES)
        return [f'keypoint_{k}' for k in range(num_kpts)]

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Compute NE, per-landmark NE, the left/right rates and the
        breakdowns.

        Args:
            results (list): The per-sample dicts stored by :meth:`process`,
                gathered from all ranks.

        Returns:
            dict[str, float]: See the class docstring for the keys.
        """
        logger: MMLogger = MMLogger.get_current_instance()
        pred = np.concatenate([r['pred'] for r in results])
        gt = np.concatenate([r['gt'] for r in results])
        visible = np.concatenate([r['visible'] for r in results])
        bboxes = np.concatenate([r['bboxes'] for r in results])
        clothes = np.concatenate([r['clothes_type'] for r in results])
        variation = np.concatenate([r['variation_type'] for r in results])
        names = self._landmark_names(gt.shape[1])

        def subset_ne(mask: Optional[np.ndarray] = None):
            if mask is None:
                ne, counts = keypoint_normalized_error(
                    pred, gt, visible, bboxes, return_counts=True)
            else:
                ne, counts = keypoint_normalized_error(
                    pred[mask],
                    gt[mask],
                    visible[mask],
                    bboxes[mask],
                    return_counts=True)
            mean = float(ne[counts > 0].mean()) if counts.any() else np.nan
            return ne, counts, mean

        ne, counts, mean = subset_ne()
        metrics = {'NE': mean}
        for name, value in zip(names, ne):
            metrics[f'NE/{name}'] = float(value)
        rows = [('all', ne, mean, counts)]

        if not counts.any():
            logger.warning(f'{self.__class__.__name__}: no visible landmark '
                           f'in {len(gt)} samples: NE is NaN')
        elif not counts.all():
            missing = [n for n, c in zip(names, counts) if c == 0]
            logger.warning(
                f'{self.__class__.__name__}: no visible instance of '
                f'{", ".join(missing)}: reported as NaN and left out of the '
                'mean NE')

        subsets = []
        if self.breakdown:
            subsets = [(CLOTHES_TYPES[c], CLOTHES_TYPES[c], clothes == c)
                       for c in sorted(CLOTHES_TYPES)]
            subsets += [(f'variation_{v}', VARIATION_TYPES[v], variation == v)
                        for v in sorted(VARIATION_TYPES) if v != 0]
            subsets = [s for s in subsets if s[2].any()]
            for key, label, mask in subsets:
                sub_ne, sub_counts, sub_mean = subset_ne(mask)
                metrics[f'NE/{key}'] = sub_mean
                rows.append((label, sub_ne, sub_mean, sub_counts))
        tables = [ne_table(names, rows)]

        pairs = []
        if self.left_right:
            pairs, _ = dataset_pairs(self.dataset_meta, len(names))
        if pairs:
            pair_names = [pair_name(names[i], names[j]) for i, j in pairs]
            lr_metrics, lr_rows = self._left_right(pred, gt, visible, bboxes,
                                                   pair_names, pairs, subsets)
            metrics.update(lr_metrics)
            tables.append(lr_table(pair_names, lr_rows, self.collapse_ratio))
        elif self.left_right:
            logger.warning(
                f'{self.__class__.__name__}: no left/right pairs (no '
                'flip_indices in the dataset metainfo): no LR/ metrics')

        logger.info('\n\n'.join(tables))
        return metrics

    def _left_right(self, pred, gt, visible, bboxes, pair_names, pairs,
                    subsets) -> tuple:
        """``LR/`` metrics and table rows (see the class docstring).

        Args:
            pred, gt (np.ndarray): Keypoints, shape (N, K, 2).
            visible (np.ndarray): Visible mask, shape (N, K).
            bboxes (np.ndarray): Ground-truth boxes, shape (N, 4).
            pair_names (list[str]): Name of each pair, P.
            pairs (list[tuple[int, int]]): ``(left, right)`` indices, P.
            subsets (list[tuple]): ``(key, label, mask (N,))`` per subset.

        Returns:
            tuple: (metrics dict, rows for
            :func:`~gle.evaluation.metric_tables.lr_table`).
        """
        outcomes, wrong = left_right_outcomes(pred, gt, visible, bboxes, pairs,
                                              self.collapse_ratio)

        def rates(mask=slice(None)):
            per_pair = [
                left_right_rates(outcomes[mask, p], wrong[mask, p])
                for p in range(len(pairs))
            ]
            return per_pair, left_right_rates(outcomes[mask], wrong[mask])

        per_pair, overall = rates()
        metrics = {f'LR/{k}': v for k, v in overall.items()}
        for name, pair_rates in zip(pair_names, per_pair):
            for key in LR_OUTCOMES + ('wrong_side', ):
                metrics[f'LR/{name}/{key}'] = pair_rates[key]
        rows = [('all', per_pair, overall)]
        for key, label, mask in subsets:
            sub_per_pair, sub_overall = rates(mask)
            metrics[f'LR/{key}/wrong_side'] = sub_overall['wrong_side']
            metrics[f'LR/{key}/collapsed'] = sub_overall['collapsed']
            rows.append((label, sub_per_pair, sub_overall))
        return metrics, rows
