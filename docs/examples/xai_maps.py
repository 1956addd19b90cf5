"""Decode the saliency maps of the explanations table in Python (NumPy only).

A row of `explanations` stores its map as bytes with the columns that say how to read them:

    map           little-endian values, row-major [map_height, map_width]
    map_dtype     float32 (4 bytes a value; NULL in tables written before the column), float16 (IEEE half)
                  or bfloat16 (the upper 16 bits of a float32)
    map_height, map_width      the stored size: the model's input, or a CAM method's feature grid
                               when the job ran with --map-resolution native
    input_height, input_width  the model's input size (NULL: the stored size)

`decode_map` returns the map at the model's input resolution as float32, upsampled when stored
natively exactly as the project's readers do (bilinear, half-pixel centres, PyTorch's
align_corners=False without antialiasing, one pass along the width then one along the height, in
float32): the same floats as the Java side's `Maps.decode` and the SQL function `xai_map`.

Read the rows with the Delta reader of your choice, e.g.

    from deltalake import DeltaTable                      # delta-rs
    rows = DeltaTable("warehouse/explanations").to_pandas(
        columns=["image_id", "method_spec", "map", "map_dtype", "map_height", "map_width",
                 "input_height", "input_width"])
    maps = [decode_map(**row) for row in rows.drop(columns=["image_id", "method_spec"])
                                            .rename(columns={"map": "map_bytes"}).to_dict("records")]

or with PySpark (`spark.read.format("delta").load(...)`, or `spark.table("xai.explanations")` after
`xai register`), then `decode_map(r.map, r.map_dtype, r.map_height, r.map_width, r.input_height,
r.input_width)` per row.

Run as a script, it decodes a JSON Lines file of such rows (the map base64-encoded, as Spark's JSON
writer writes binary columns) into one float32 file, the maps one after the other:

    python3 docs/examples/xai_maps.py rows.jsonl maps.f32
"""

import base64
import json
import sys

import numpy as np


def decode_values(map_bytes, map_dtype):
    """The stored values as float32, at the stored size."""
    dtype = map_dtype or "float32"
    if dtype == "float32":
        return np.frombuffer(map_bytes, dtype="<f4").astype(np.float32)
    if dtype == "float16":
        return np.frombuffer(map_bytes, dtype="<f2").astype(np.float32)
    if dtype == "bfloat16":
        upper = np.frombuffer(map_bytes, dtype="<u2").astype(np.uint32)
        return (upper << np.uint32(16)).view(np.float32)
    raise ValueError("unknown map_dtype %r (valid: float32, float16, bfloat16)" % (map_dtype,))


def _axis(size_in, size_out):
    """Per output pixel: the two source pixels and the second's weight (float32, as the Java side)."""
    scale = np.float32(size_in) / np.float32(size_out)
    d = np.arange(size_out, dtype=np.float32)
    src = np.maximum(scale * (d + np.float32(0.5)) - np.float32(0.5), np.float32(0))
    lo = np.minimum(src.astype(np.int64), size_in - 1)
    hi = np.minimum(lo + 1, size_in - 1)
    lam = np.minimum(src - lo.astype(np.float32), np.float32(1))
    return lo, hi, lam.astype(np.float32)


def upsample(values, h, w, out_h, out_w):
    """Bilinear resize of one [h, w] float32 map to [out_h, out_w]."""
    m = values.reshape(h, w).astype(np.float32)
    if (h, w) == (out_h, out_w):
        return m.copy()
    lo, hi, lam = _axis(w, out_w)
    rows = (np.float32(1) - lam) * m[:, lo] + lam * m[:, hi]
    lo, hi, lam = _axis(h, out_h)
    lam = lam[:, None]
    return (np.float32(1) - lam) * rows[lo, :] + lam * rows[hi, :]


def decode_map(map_bytes, map_dtype, map_height, map_width, input_height=None, input_width=None):
    """The map of one explanations row at the model's input resolution, float32 [height, width]."""
    values = decode_values(map_bytes, map_dtype)
    if values.size != map_height * map_width:
        raise ValueError("%d values for a %dx%d map" % (values.size, map_height, map_width))
    out_h = input_height if input_height is not None else map_height
    out_w = input_width if input_width is not None else map_width
    return upsample(values, map_height, map_width, out_h, out_w)


def main(rows_path, out_path):
    with open(rows_path) as rows, open(out_path, "wb") as out:
        for line in rows:
            r = json.loads(line)
            m = decode_map(base64.b64decode(r["map"]), r.get("map_dtype"), r["map_height"], r["map_width"],
                           r.get("input_height"), r.get("input_width"))
            out.write(m.astype("<f4").tobytes())


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: xai_maps.py ROWS.jsonl OUT.f32")
    main(sys.argv[1], sys.argv[2])
