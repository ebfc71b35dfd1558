"""Build the saetm Python package: the extension saetm._core over libsaetm.so (docs/python.md).

The library comes from a built saetm tree: SAETM_LIBDIR (the directory holding libsaetm.so.0 and
its version file, default ../build/install, what `make python` builds) and SAETM_INCLUDE (default
../include). The extension finds the library at run time through an rpath to SAETM_LIBDIR, and the
built-in embedder's model file through SAETM_MODEL_DIR (recorded at build time, default
../build/models) unless the environment sets it.

    make python                                   # from the tree: PYTHONPATH=python python3
    /usr/bin/python3 -m pip install --no-build-isolation ./python
"""
import glob
import os

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIBDIR = os.path.abspath(os.environ.get("SAETM_LIBDIR", os.path.join(ROOT, "build", "install")))
INCLUDE = os.path.abspath(os.environ.get("SAETM_INCLUDE", os.path.join(ROOT, "include")))
MODEL_DIR = os.path.abspath(os.environ.get("SAETM_PY_MODEL_DIR", os.path.join(ROOT, "build", "models")))

libs = sorted(glob.glob(os.path.join(LIBDIR, "libsaetm.so.*.*.*")))
if not libs:
    raise SystemExit(f"no libsaetm.so.X.Y.Z in {LIBDIR}: run `make python` in the saetm tree, or set SAETM_LIBDIR")

# Options by name: the library's tables when its header has them.
with open(os.path.join(INCLUDE, "saetm.h"), encoding="utf-8") as f:
    has_tables = "saetm_fit_opts_set" in f.read()

with open(os.path.join(HERE, "saetm", "_build.py"), "w", encoding="utf-8") as f:
    f.write('"""Written by setup.py: where the build found the library and the model files."""\n')
    f.write(f"LIBDIR = {LIBDIR!r}\nMODEL_DIR = {MODEL_DIR!r}\n")

setup(
    name="saetm",
    version="0.1.0",
    description="Topic models from sparse autoencoders: Python bindings of libsaetm",
    packages=["saetm"],
    ext_modules=[
        Extension(
            "saetm._core",
            sources=["saetm/_core.c"],
            include_dirs=[INCLUDE],
            define_macros=[("SAETM_HAVE_OPTION_TABLES", "1")] if has_tables else [],
            extra_objects=[libs[-1]],  # DT_NEEDED is its soname, found through the rpath
            runtime_library_dirs=[LIBDIR],
            extra_compile_args=["-std=c11", "-Wall", "-Wextra", "-Werror", "-Wno-missing-field-initializers",
                                "-Wno-cast-function-type"],
        )
    ],
)
