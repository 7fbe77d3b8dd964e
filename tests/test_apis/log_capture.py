"""Capture what mmengine's current logger emits (its stream handler holds
the stdout of the moment it was created, out of pytest's capsys reach)."""
import contextlib
import logging
from typing import Iterator, List


@contextlib.contextmanager
def mmengine_messages() -> Iterator[List[str]]:
    """Yields the list the messages logged inside the block go to."""
    from mmengine.logging import MMLogger

    messages: List[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)
