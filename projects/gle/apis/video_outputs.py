"""The outputs of a video: its JSON, streamed frame by frame, and the drawn
video."""
import json
import logging
import os
import os.path as osp
from typing import Optional, Tuple

import cv2
import numpy as np
from mmengine.logging import print_log

from .inputs import file_ext

#: FourCC of the drawn video per container; others are written as MJPG .avi
VIDEO_FOURCC = {
    '.avi': 'MJPG',
    '.mp4': 'mp4v',
    '.m4v': 'mp4v',
    '.mov': 'mp4v',
    '.mkv': 'mp4v'
}


def open_video_writer(path: str, fps: float,
                      size: Tuple[int, int]) -> Tuple[cv2.VideoWriter, str]:
    """A writer for the drawn video; MJPG .avi when the container of
    ``path`` cannot be written.

    Args:
        path (str): The wished output file.
        fps (float): Frame rate.
        size (tuple[int, int]): ``(width, height)``.

    Returns:
        tuple[cv2.VideoWriter, str]: The writer and the path it writes.
    """
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    fourcc = VIDEO_FOURCC.get(file_ext(path))
    if fourcc is not None:
        writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps,
                                 size)
        if writer.isOpened():
            return writer, path
    path = osp.splitext(path)[0] + '.avi'
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'MJPG'), fps, size)
    if not writer.isOpened():
        raise OSError(f'OpenCV cannot write the video {path}')
    return writer, path


class VideoOutputs:
    """The outputs of one video run: the drawn video and one JSON file,
    written one frame at a time (never the whole video in memory, unlike
    ``mmengine.dump`` of a list, which MMPose's inferencer does)::

        {"video": "clip.mp4", "fps": 25.0, "width": 640, "height": 360,
         "frames": [{"frame": 1, "instances": [...]}, ...],
         "num_frames": 2}

    The JSON is written as ``<stem>.json.part`` and renamed by
    :meth:`close`, so an interrupted run leaves no truncated JSON behind a
    valid-looking name.

    Args:
        path (str): The video.
        fps (float): Its frame rate.
    """

    def __init__(self, path: str, fps: float) -> None:
        self.name = osp.basename(path)
        #: the keys its boxes may be given under
        self.keys = [path.replace(os.sep, '/'), self.name]
        self.fps = fps
        self.num_frames = 0
        self.drawn_path: Optional[str] = None
        self._wanted_path: Optional[str] = None
        self._writer: Optional[cv2.VideoWriter] = None
        self._json_path: Optional[str] = None
        self._json = None

    def add_drawing(self, image: np.ndarray, vis_out_dir: str) -> None:
        """Append a drawn frame (BGR) to ``vis_out_dir/<video name>``."""
        if self._writer is None:
            self._wanted_path = osp.join(vis_out_dir, self.name)
            self._writer, self.drawn_path = open_video_writer(
                self._wanted_path, self.fps, (image.shape[1], image.shape[0]))
        self._writer.write(image)

    def add_prediction(self, frame: dict, pred_out_dir: str) -> None:
        """Append a frame (``frame``, ``width``, ``height``, ``instances``)
        to ``pred_out_dir/<video stem>.json``."""
        if self._json is None:
            self._json_path = osp.join(pred_out_dir,
                                       osp.splitext(self.name)[0] + '.json')
            os.makedirs(pred_out_dir, exist_ok=True)
            self._json = open(self._json_path + '.part', 'w', encoding='utf-8')
            header = dict(
                video=self.name,
                fps=self.fps,
                width=frame['width'],
                height=frame['height'])
            self._json.write(json.dumps(header)[:-1] + ', "frames": [\n')
        else:
            self._json.write(',\n')
        self._json.write(
            json.dumps(
                dict(frame=frame['frame'], instances=frame['instances'])))
        self.num_frames += 1

    def close(self, finished: bool = True) -> None:
        """Release the drawn video; finish the JSON (``finished``) or drop
        it (an interrupted run)."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
            if finished and self.drawn_path != self._wanted_path:
                print_log(
                    f'note: drawn video written as {self.drawn_path} '
                    f'(OpenCV cannot write {file_ext(self.name)} here)',
                    logger='current',
                    level=logging.WARNING)
        if self._json is not None:
            if finished:
                self._json.write(f'\n], "num_frames": {self.num_frames}}}\n')
            self._json.close()
            self._json = None
            if finished:
                os.replace(self._json_path + '.part', self._json_path)
            else:
                os.remove(self._json_path + '.part')
