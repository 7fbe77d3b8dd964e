import os.path as osp
from typing import Dict, Optional

from mmengine.utils import is_abs

from .annotation_error import raise_first_problem, raise_or_warn_empty
from .fashion_layout import SPLITS
from .raw_annotation import (RawAnnotations, empty_split_error,
                             load_raw_annotations, raw_data_root)


class RawFashionFilesMixin:
    """One split of the three list files of a raw DeepFashion-C / FLD tree
    (``Anno/list_landmarks.txt``, ``Anno/list_bbox.txt``,
    ``Eval/list_eval_partition.txt``).

    Shared by the landmark readers (:class:`BaseFashionDataset`) and the
    detector dataset (``gle.detection.FashionDetDataset``), whose bases
    differ: put it first in the bases, call :meth:`_init_raw_files` before
    the base class's ``__init__``, and read the split with
    :meth:`_load_raw_split`. The landmark file is the base class's
    ``ann_file``; the box and partition files are joined with ``data_root``
    as ``ann_file`` is.
    """

    def _init_raw_files(self, data_root: Optional[str], split: str,
                        bbox_ann_file: str, partition_file: str) -> str:
        """Check and keep the raw-tree arguments.

        Args:
            data_root (str, optional): The folder holding ``Anno/``,
                ``Eval/`` and ``img/``.
            split (str): ``'train'``, ``'val'`` or ``'test'``.
            bbox_ann_file (str): The box file.
            partition_file (str): The split file.

        Returns:
            str: ``data_root``, absolute unless it is a URL, for the base
            class's ``__init__``.

        Raises:
            ValueError: An unknown split or an empty ``data_root``.
        """
        owner = self.__class__.__name__
        if split not in SPLITS:
            raise ValueError(
                f'{owner}: invalid split={split!r}; '
                f'allowed values for "split": {", ".join(map(repr, SPLITS))}')
        self.split = split
        self.bbox_ann_file = bbox_ann_file
        self.partition_file = partition_file
        return raw_data_root(owner, data_root)

    def _join_prefix(self) -> None:
        """Also join the box and partition files with ``data_root``."""
        super()._join_prefix()
        for attr in ('bbox_ann_file', 'partition_file'):
            path = getattr(self, attr)
            if path and not is_abs(path):
                setattr(self, attr, osp.join(self.data_root, path))

    def _load_raw_split(self, has_variation: bool) -> RawAnnotations:
        """Parse the three files and keep the items of ``split``.

        Args:
            has_variation (bool): Whether landmark rows carry a
                ``variation_type`` column (FLD).

        Returns:
            RawAnnotations: The items of the split.

        Raises:
            FashionAnnotationError: The first malformed line of the files.
        """
        raw = load_raw_annotations(
            self.ann_file,
            self.bbox_ann_file,
            self.partition_file,
            has_variation,
            split=self.split)
        raise_first_problem(raw.problems)
        return raw

    def _empty_split(self, split_sizes: Dict[str, int], parsed: int) -> None:
        """Explain an empty split (see
        :func:`~gle.datasets.annotation_error.raise_or_warn_empty`).

        Args:
            split_sizes (dict[str, int]): Images per split in the partition
                file.
            parsed (int): Items of the split, before ``skip_invalid``.
        """
        raise_or_warn_empty(
            empty_split_error(self.__class__.__name__, self.partition_file,
                              self.split, split_sizes, parsed),
            self.serialize_data)
