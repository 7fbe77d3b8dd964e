"""The GLE authors' per-sample preprocessing, re-implemented in their style:
the reference of the benchmark's ``data`` part."""
import numpy as np
import torch


def skimage_like_resize(img: np.ndarray, out_hw) -> np.ndarray:
    """``skimage.transform.resize(img, out_hw)`` with its defaults (order=1,
    mode='reflect', anti_aliasing when downscaling) on a float image.

    skimage is not a dependency: Gaussian pre-filter with sigma =
    (factor - 1) / 2 per downscaled axis, then bilinear ``scipy.ndimage.zoom``
    with grid_mode=True, then clip, which is what it does.

    Args:
        img (np.ndarray): Float image in shape (H, W, C).
        out_hw (tuple[int, int]): Output (height, width).

    Returns:
        np.ndarray: Shape (out_h, out_w, C), within ``img``'s value range.
    """
    from scipy import ndimage as ndi
    factors = np.array(
        [img.shape[0] / out_hw[0], img.shape[1] / out_hw[1], 1.0])
    sigma = np.maximum(0, (factors - 1) / 2)
    if np.any(sigma > 0):
        img = ndi.gaussian_filter(img, sigma, mode='mirror')
    zoom = (out_hw[0] / img.shape[0], out_hw[1] / img.shape[1], 1.0)
    out = ndi.zoom(img, zoom, order=1, mode='mirror', grid_mode=True)
    return np.clip(out, img.min(), img.max())


class AuthorsStylePipeline:
    """The GLE authors' per-sample preprocessing (their public code), in the
    style of their code: PIL load, crop the ground-truth box, skimage-style
    float resize to 224x224 (aspect ratio not kept), ImageNet normalisation to
    a tensor, and per landmark an exp(-d/16) heatmap over the full 224x224 grid
    (d = Euclidean pixel distance, np.meshgrid, Python loop), zero for
    landmarks outside the crop.

    Args:
        size (int): Output side. Defaults to 224.
        tau (float): Heatmap decay length in pixels. Defaults to 16.
    """

    mean = np.array([0.485, 0.456, 0.406])
    std = np.array([0.229, 0.224, 0.225])

    def __init__(self, size: int = 224, tau: float = 16.0) -> None:
        self.size, self.tau = size, tau

    def __call__(self, info: dict) -> tuple:
        """Preprocess one sample.

        Args:
            info (dict): A data info of the fashion datasets (``img_path``,
                ``bbox`` (1, 4), ``keypoints`` (1, K, 2) and
                ``keypoints_visible`` (1, K) in the original image).

        Returns:
            tuple: ``image`` (3, size, size), ``heatmaps`` (K, size, size),
            ``landmarks`` (K, 2) in the crop, ``visible`` (K,) tensors.
        """
        from PIL import Image
        img = Image.open(info['img_path']).convert('RGB')
        x1, y1, x2, y2 = (float(v) for v in info['bbox'][0])
        crop = np.asarray(
            img.crop((int(x1), int(y1), int(x2), int(y2))), dtype=np.float64)
        crop = skimage_like_resize(crop / 255.0, (self.size, self.size))
        image = torch.from_numpy(
            ((crop - self.mean) / self.std).transpose(2, 0, 1)).float()
        sx, sy = self.size / (x2 - x1), self.size / (y2 - y1)
        lm = (info['keypoints'][0] - np.array([x1, y1])) * np.array([sx, sy])
        xs, ys = np.meshgrid(np.arange(self.size), np.arange(self.size))
        heatmaps = np.zeros((len(lm), self.size, self.size), np.float32)
        for k, (x, y) in enumerate(lm):
            if 0 <= x < self.size and 0 <= y < self.size:
                d = np.sqrt((xs - x)**2 + (ys - y)**2)
                heatmaps[k] = np.exp(-d / self.tau)
        return (image, torch.from_numpy(heatmaps),
                torch.from_numpy(lm.astype(np.float32)),
                torch.from_numpy(info['keypoints_visible'][0].copy()))
