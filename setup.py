"""Installs the Python package twinflow (python/twinflow/) with pip, building its compiled module
with the project's own CMake build, offline:

    python3 -m venv --system-site-packages .venv
    .venv/bin/python -m pip install --no-build-isolation .

CMake, Ninja, pybind11, NumPy and the C++ libraries come from Debian (scripts/install-deps.sh),
and setuptools and wheel from the interpreter that runs pip (--no-build-isolation: nothing is
downloaded). The build goes to build-python/ (ccache is used when installed);
TWINFLOW_BUILD_DIR=build reuses the Release build of scripts/build.sh instead.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys
import sysconfig

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
BUILD = ROOT / os.environ.get("TWINFLOW_BUILD_DIR", "build-python")


class CMakeBuild(build_ext):
    """Builds the target twinflow_python and puts the module where setuptools packs it."""

    def build_extension(self, ext):
        # The interpreter itself, not a venv's link to it: the build directory may outlive
        # the venv, and CMake must find the same Python when it configures again.
        python = getattr(sys, "_base_executable", sys.executable)
        configure = ["cmake", "-S", str(ROOT), "-B", str(BUILD), "-G", "Ninja",
                     "-DCMAKE_BUILD_TYPE=Release", "-DTWINFLOW_PYTHON=ON",
                     f"-DPython3_EXECUTABLE={python}"]
        if shutil.which("ccache"):
            configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
        subprocess.run(configure, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", str(BUILD), "--target", "twinflow_python"], check=True)
        built = BUILD / "python" / "twinflow" / ("_core" + sysconfig.get_config_var("EXT_SUFFIX"))
        if not built.exists():
            sys.exit(f"setup.py: the build made no {built}: is it for another Python?")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, target)


def version():
    cmake = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(twinflow VERSION ([\d.]+)", cmake).group(1)


(BUILD / "setuptools").mkdir(parents=True, exist_ok=True)
setup(
    name="twinflow",
    version=version(),
    description="Siamese and triplet networks declared in YAML, trained in C++, from Python",
    packages=["twinflow"],
    package_dir={"": "python"},
    ext_modules=[Extension("twinflow._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy"],
    # setuptools' own files go beside the CMake build, not into the source tree or build/.
    options={"build": {"build_base": str(BUILD / "setuptools")},
             "egg_info": {"egg_base": str(BUILD / "setuptools")}},
)
