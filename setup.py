"""Install the GLE fashion-landmark plugin as the import package ``gle``.

The code lives in ``projects/gle`` (OpenMMLab project layout); ``package_dir``
maps it to the top-level name ``gle`` so configs can say
``custom_imports=dict(imports=['gle'])``. Use ``bash tools/install.sh`` for a
complete install of the OpenMMLab stack (mmcv must be compiled from source);
``pip install -e .`` alone assumes that stack is already present.
"""
import os.path as osp
import re
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_version():
    with open(osp.join(HERE, 'projects', 'gle', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


def read_requirements(name):
    reqs = []
    with open(osp.join(HERE, 'requirements', name)) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line:
                reqs.append(line)
    return reqs


setup(
    name='gle-fashion-landmarks',
    version=read_version(),
    description=('Global-Local Embedding (GLE) fashion landmark detection '
                 'for MMPose'),
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    license='Apache License 2.0',
    python_requires='>=3.8',
    package_dir={'gle': 'projects/gle'},
    packages=['gle'] + ['gle.' + p for p in find_packages('projects/gle')],
    install_requires=['mmcv>=2.0.0,<2.2.0'] + read_requirements('runtime.txt'),
    extras_require={'tests': read_requirements('tests.txt')},
    zip_safe=False,
)
