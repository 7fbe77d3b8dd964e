class ImageFileError(OSError):
    """An image file that the pipeline cannot load: missing, empty (0 bytes)
    or not decodable (truncated or corrupt).

    The message reads ``<image>: <problem>. Fix: <how>``. It takes the
    message only, so that PyTorch's DataLoader can re-raise it as it is in
    the main process.
    """
