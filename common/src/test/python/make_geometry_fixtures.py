#!/usr/bin/python3
"""Writes the preprocessing fixtures of GeometryParityTest (run by hand, not by CI; Debian's
python3-torchvision 0.14 and python3-pil 9.4: apt-get install python3-torchvision python3-pil).

    /usr/bin/python3 common/src/test/python/make_geometry_fixtures.py common/src/test/resources/fixtures/geometry

Inputs are synthetic photos (smooth colour fields, edges and noise) of the shapes people have:
landscape and portrait JPEG/PNG, grey, RGBA, tiny and large. Each expected output is what
torchvision's transforms make of the file opened as its ImageFolder loader does
(Image.open(f).convert("RGB")); ToTensor() is that image's bytes / 255, so the bytes are stored as PNG.
"""
import json
import os
import sys

import numpy as np
from PIL import Image
from torchvision import transforms
from torchvision.transforms import InterpolationMode

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(5)


def photo(w, h, noise=12):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 128 + 100 * np.sin(x / (w / 7.0)) * np.cos(y / (h / 5.0))
    g = 255 * (x + y) / (w + h)
    b = np.where((x - w / 2) ** 2 + (y - h / 2) ** 2 < (min(w, h) / 3) ** 2, 220, 40)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, noise, (h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


inputs = {}


def save(name, img, **kw):
    path = os.path.join(OUT, name)
    img.save(path, **kw)
    inputs[name] = img.size


save("landscape.jpg", Image.fromarray(photo(500, 375)), quality=90)
save("portrait.png", Image.fromarray(photo(375, 500, noise=3)))
save("grey.png", Image.fromarray(photo(300, 200)).convert("L"))
rgba = Image.fromarray(photo(120, 90)).convert("RGBA")
rgba.putalpha(Image.fromarray((np.arange(120 * 90).reshape(90, 120) % 256).astype(np.uint8)))
save("rgba.png", rgba)
save("tiny.png", Image.fromarray(photo(7, 5)))
save("large.jpg", Image.fromarray(photo(3000, 2000, noise=1)), quality=75)

B = InterpolationMode.BILINEAR
CASES = {
    # name: (card preprocessing fields, input size (h, w), torchvision transform, inputs)
    "stretch-bilinear-64": ({"geometry": "stretch", "resize": "bilinear"}, (64, 64),
                            transforms.Resize((64, 64), B), None),
    "stretch-nearest-48x64": ({"geometry": "stretch", "resize": "nearest"}, (48, 64),
                              transforms.Resize((48, 64), InterpolationMode.NEAREST), None),
    "crop-bilinear-73-64": ({"geometry": "resize_center_crop", "resize": "bilinear", "resize_to": 73}, (64, 64),
                            transforms.Compose([transforms.Resize(73, B), transforms.CenterCrop(64)]), None),
    "crop-bicubic-256-224": ({"geometry": "resize_center_crop", "resize": "bicubic", "resize_to": 256}, (224, 224),
                             transforms.Compose([transforms.Resize(256, InterpolationMode.BICUBIC),
                                                 transforms.CenterCrop(224)]),
                             ["landscape.jpg", "large.jpg"]),
}

index = []
for case, (fields, (h, w), t, only) in CASES.items():
    for name in inputs:
        if only is not None and name not in only:
            continue
        with Image.open(os.path.join(OUT, name)) as f:
            src = f.convert("RGB")
        out = t(src)
        assert out.size == (w, h), (case, name, out.size)
        expected = f"{case}--{name.rsplit('.', 1)[0]}.png"
        out.save(os.path.join(OUT, expected))
        index.append({"case": case, "input": name, "expected": expected, "preprocessing": fields,
                      "height": h, "width": w})

with open(os.path.join(OUT, "index.json"), "w") as f:
    json.dump({"torchvision": __import__("torchvision").__version__, "pillow": Image.__version__,
               "cases": index}, f, indent=1)
print(len(index), "cases")
