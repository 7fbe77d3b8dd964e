import warnings
from typing import Optional, Sequence, Union


class FashionAnnotationError(ValueError):
    """A problem in a fashion-landmark annotation file.

    The message always says where (file and 1-based line number, or a json
    location such as ``annotations[3]``), what is wrong and how to fix it:
    ``<file>:<line>: <problem>. Fix: <fix>``.

    Args:
        file (str): The annotation file.
        line (int | str, optional): 1-based line number, or a location
            inside a json file. ``None`` for a problem of the whole file.
        problem (str): What is wrong.
        fix (str): How to fix it. Default: ''.
    """

    def __init__(self,
                 file: str,
                 line: Optional[Union[int, str]],
                 problem: str,
                 fix: str = '') -> None:
        self.file = file
        self.line = line
        self.problem = problem
        self.fix = fix
        where = file if line is None else f'{file}:{line}'
        message = f'{where}: {problem}'
        if fix:
            message += f'. Fix: {fix}'
        super().__init__(message)

    def __reduce__(self):
        # picklable across processes (the default would call __init__ with
        # the message only)
        return (self.__class__, (self.file, self.line, self.problem, self.fix))


def raise_first_problem(problems: Sequence[FashionAnnotationError]) -> None:
    """The readers' error policy: raise the first problem, if any.

    Parsers collect every problem (``tools/misc/check_fashion_dataset.py``
    prints them all); a dataset stops at the first one, and says how many
    more there are.

    Args:
        problems (Sequence[FashionAnnotationError]): In file order.

    Raises:
        FashionAnnotationError: The first of ``problems``.
    """
    if not problems:
        return
    first = problems[0]
    if len(problems) == 1:
        raise first
    more = (f'{len(problems) - 1} more problem(s) in these files: run '
            'tools/misc/check_fashion_dataset.py to list them all')
    raise FashionAnnotationError(
        first.file, first.line, first.problem,
        f'{first.fix} ({more})' if first.fix else more)


def raise_or_warn_empty(error: FashionAnnotationError,
                        serialize_data: bool) -> None:
    """The readers' policy for a dataset left empty: raise ``error`` where
    mmengine would fail on the empty list (``serialize_data=True``, what
    configs use), else warn with its message.

    Args:
        error (FashionAnnotationError): Why the dataset is empty.
        serialize_data (bool): The dataset's ``serialize_data``.

    Raises:
        FashionAnnotationError: ``error``, with ``serialize_data=True``.
    """
    if serialize_data:
        raise error
    warnings.warn(str(error))
