"""testlib.py - the tiny test framework of the Python tests (as tests/test.h for C and tests/lib.sh
for shell): check() records a result and goes on, report() prints "N passed, N failed" and gives the
exit code. Use: sys.path.insert(0, os.path.join(ROOT, "tests")); from testlib import check, report."""
import sys

_counts = {"passed": 0, "failed": 0}


def check(cond, what):
    """Record one check; print what failed to stderr."""
    if cond:
        _counts["passed"] += 1
    else:
        _counts["failed"] += 1
        print("FAIL:", what, file=sys.stderr)


def report():
    """Print the result line; @return the exit code (1 if any check failed)."""
    print(f"{_counts['passed']} passed, {_counts['failed']} failed")
    return 1 if _counts["failed"] else 0
