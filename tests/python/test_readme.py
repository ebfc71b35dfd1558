"""test_readme.py - README.md's Python section runs as written: its sh block, from a directory
that holds the tree's build/ and python/ (symlinks), with `make python` left out (make test has
built the package already); it prints K lines of words and a score, and saves the model."""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyfix  # noqa: E402

from testlib import check, report  # noqa: E402

ROOT = pyfix.ROOT
T = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp()
with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
    readme = f.read()
section = readme.split("## Python\n", 1)[1].split("\n## ", 1)[0] if "## Python\n" in readme else ""
blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
check(len(blocks) == 1, "README has a Python section with one sh block")
script = blocks[0] if blocks else ""
check("make python" in script and "import saetm" in script, "the block builds and imports the package")
work = os.path.join(T, "readme")
os.makedirs(work, exist_ok=True)
for name in ("build", "python"):
    if not os.path.exists(os.path.join(work, name)):
        os.symlink(os.path.join(ROOT, name), os.path.join(work, name))
lines = [ln for ln in script.splitlines() if ln.strip() != "make python"]
r = subprocess.run(["bash", "-e", "-c", "\n".join(lines)], cwd=work, capture_output=True, text=True)
check(r.returncode == 0, f"the README's block runs: exit {r.returncode}\n{r.stderr[-2000:]}")
out = r.stdout.strip().splitlines()
check(len(out) == 5 and all(len(ln.split()) == 8 for ln in out[:4]), f"it prints 4 topics of 8 words: {out[:4]}")
try:
    check(len(out) == 5 and -1.0 <= float(out[4]) <= 1.0, f"and an NPMI: {out[-1:]}")
except ValueError:
    check(False, f"an NPMI: {out[-1:]}")
check(os.path.isfile(os.path.join(work, "planted-model", "params.json")), "the model was saved")
sys.exit(report())
