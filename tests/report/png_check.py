"""png_check.py PNG - exit 0 if a screenshot shows a rendered page, else print why and exit 1.

"Rendered" means: a valid PNG of at least 400x400 pixels with more than 16 distinct colours and at
least 2% of its pixels clearly darker than white (text, bars, charts). A blank page, a single-colour
image or a tiny error image fails.
"""
import sys

from PIL import Image

path = sys.argv[1]
try:
    img = Image.open(path)
    img.load()
except Exception as e:  # noqa: BLE001 - any decoding problem is a failure to report
    sys.exit("%s: not a readable PNG: %s" % (path, e))
if img.format != "PNG":
    sys.exit("%s: is %s, not PNG" % (path, img.format))
w, h = img.size
rgb = img.convert("RGB")
colours = rgb.getcolors(maxcolors=1 << 20)
n_colours = len(colours) if colours is not None else 1 << 20
dark = sum(n for n, (r, g, b) in (colours or []) if r + g + b < 600)
share = dark / float(w * h)
print("%s: %dx%d, %d colours, %.1f%% non-white pixels" % (path, w, h, n_colours, 100 * share))
if w < 400 or h < 400:
    sys.exit("too small")
if n_colours <= 16:
    sys.exit("too few colours: blank or flat image")
if share < 0.02:
    sys.exit("almost all white: nothing rendered")
