#!/usr/bin/python3
"""Writes the camera fixtures of CameraImagesTest (run by hand, not by CI; Debian's python3-pil 9.4).

    /usr/bin/python3 common/src/test/python/make_camera_fixtures.py common/src/test/resources/fixtures/camera

- orientation-N.jpg (N = 1..8) and orientation-6.png: one upright picture of 48x32 (red top-left,
  green top-right, blue bottom-left, white bottom-right quadrants), stored turned as a camera would
  store it and tagged with EXIF orientation N, so that PIL.ImageOps.exif_transpose gives the upright
  picture back (checked here).
- cmyk.jpg: the four colours as a CMYK JPEG (Adobe APP14, as Photoshop and print workflows write);
  index.json records the RGB PIL's convert("RGB") gives for each quadrant's centre.
- precision-12.jpg: a baseline JPEG whose frame header claims 12-bit samples (SOF1), the kind of
  file Pillow and torchvision cannot read either.
"""
import json
import os
import sys

import numpy as np
from PIL import Image, ImageOps

OUT = sys.argv[1]
os.makedirs(OUT, exist_ok=True)
W, H = 48, 32
COLOURS = {"top_left": (255, 0, 0), "top_right": (0, 255, 0), "bottom_left": (0, 0, 255), "bottom_right": (255, 255, 255)}

upright = np.zeros((H, W, 3), np.uint8)
upright[: H // 2, : W // 2] = COLOURS["top_left"]
upright[: H // 2, W // 2 :] = COLOURS["top_right"]
upright[H // 2 :, : W // 2] = COLOURS["bottom_left"]
upright[H // 2 :, W // 2 :] = COLOURS["bottom_right"]
picture = Image.fromarray(upright)

# exif_transpose applies these to the stored image; storing applies their inverses.
TO_UPRIGHT = {
    2: [Image.Transpose.FLIP_LEFT_RIGHT],
    3: [Image.Transpose.ROTATE_180],
    4: [Image.Transpose.FLIP_TOP_BOTTOM],
    5: [Image.Transpose.TRANSPOSE],
    6: [Image.Transpose.ROTATE_270],
    7: [Image.Transpose.TRANSVERSE],
    8: [Image.Transpose.ROTATE_90],
}
INVERSE = {
    Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270,
}


def stored(n):
    img = picture
    for t in reversed(TO_UPRIGHT.get(n, [])):
        img = img.transpose(INVERSE.get(t, t))
    return img


def centre_colours(img):
    a = np.asarray(img.convert("RGB"))
    h, w = a.shape[:2]
    at = {"top_left": (h // 4, w // 4), "top_right": (h // 4, 3 * w // 4),
          "bottom_left": (3 * h // 4, w // 4), "bottom_right": (3 * h // 4, 3 * w // 4)}
    return {k: [int(v) for v in a[y, x]] for k, (y, x) in at.items()}


index = {"width": W, "height": H, "colours": {k: list(v) for k, v in COLOURS.items()}, "files": {}}
for n in range(1, 9):
    exif = Image.Exif()
    exif[0x0112] = n
    for ext in ["jpg"] + (["png"] if n == 6 else []):
        name = "orientation-%d.%s" % (n, ext)
        path = os.path.join(OUT, name)
        if ext == "jpg":
            stored(n).save(path, quality=95, exif=exif.tobytes())
        else:
            stored(n).save(path, exif=exif.tobytes())
        back = ImageOps.exif_transpose(Image.open(path))
        assert back.size == (W, H), (name, back.size)
        got = centre_colours(back)
        for k, v in COLOURS.items():
            assert max(abs(a - b) for a, b in zip(got[k], v)) <= 8, (name, k, got[k])
        index["files"][name] = {"orientation": n, "stored_size": list(Image.open(path).size)}

cmyk = picture.convert("CMYK")
cmyk.save(os.path.join(OUT, "cmyk.jpg"), quality=95)
back = Image.open(os.path.join(OUT, "cmyk.jpg"))
assert back.mode == "CMYK", back.mode
index["files"]["cmyk.jpg"] = {"mode": "CMYK", "pil_rgb": centre_colours(back)}

path = os.path.join(OUT, "precision-12.jpg")
picture.save(path, quality=95)
data = bytearray(open(path, "rb").read())
sof = data.index(b"\xff\xc0")
data[sof + 1] = 0xC1  # extended sequential DCT
data[sof + 4] = 12  # sample precision
open(path, "wb").write(bytes(data))
try:
    Image.open(path).load()
    raise AssertionError("Pillow read a 12-bit JPEG")
except OSError as e:
    index["files"]["precision-12.jpg"] = {"pil_error": str(e)}

with open(os.path.join(OUT, "index.json"), "w") as f:
    json.dump(index, f, indent=1, sort_keys=True)
print("wrote", len(index["files"]), "fixtures to", OUT)
