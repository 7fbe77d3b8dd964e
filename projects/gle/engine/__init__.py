"""Training-engine pieces: crash-safe checkpoint writing."""
from .atomic_io import AtomicLocalBackend, atomic_write_bytes, remove_stale_tmp_files
from .hooks import AtomicCheckpointHook

__all__ = [
    'AtomicLocalBackend', 'AtomicCheckpointHook', 'atomic_write_bytes',
    'remove_stale_tmp_files'
]
