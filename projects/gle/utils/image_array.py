"""The check of an image given as an array, shared by the inferencer
(``gle.apis``) and the onnxruntime models (``gle.deployment``, which does not
import ``gle.apis``)."""
import numpy as np


def check_image(image: np.ndarray) -> np.ndarray:
    """An image given as an array, as ``cv2.imread`` returns it.

    Args:
        image (np.ndarray): (H, W, 3) BGR uint8; (H, W) and (H, W, 1)
            grayscale images are repeated to 3 channels.

    Returns:
        np.ndarray: The (H, W, 3) image.

    Raises:
        TypeError: Not a numpy array.
        ValueError: Another shape, or no pixels.
    """
    if not isinstance(image, np.ndarray):
        raise TypeError(f'expected the image as a numpy array (BGR, as '
                        f'cv2.imread returns), got {type(image).__name__}')
    if image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 1):
        image = np.repeat(image.reshape(image.shape[:2] + (1, )), 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
        raise ValueError(f'expected an (H, W, 3) BGR image, got shape '
                         f'{image.shape}')
    return image
