from typing import Optional, Union


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
