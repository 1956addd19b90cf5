#!/usr/bin/python3
"""Writes the PyTorch fixtures of the model-import tests (run by hand, not by CI; Debian's
python3-torch 1.13 and python3-torchvision 0.14: apt-get install python3-torch python3-torchvision).

    /usr/bin/python3 common/src/test/python/make_fixtures.py common/src/test/resources/fixtures [--vit]

torchvision architectures (resnet18/34/50, vgg11(_bn), vgg16(_bn), 10 classes): every parameter and
buffer is set by pattern() below, which the Java test reproduces bit for bit, so only the expected
logits and input gradients are committed (the weights would be hundreds of MB). The same holds for
the ViTs (a small one and vit_b_16 at 224x224; --vit writes only those). The custom CNN gets
PyTorch's own random initialisation and is committed as a state_dict in .npz and .safetensors, with
a model card, plus its expected logits and gradients.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torchvision

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SIDE = 64
TARGETS = [3, 7]


def pattern(name, n):
    """n values in [0, 1): a multiplicative hash of the index, seeded by the name."""
    seed = 0
    for ch in name:
        seed = (seed * 31 + ord(ch)) % 2**32
    i = np.arange(n, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(seed)) % np.uint64(2**32)
    return h.astype(np.float64) / 2.0**32


def value(key, shape, batch_norm):
    """The deterministic value of one state-dict entry (float64, then float32)."""
    n = int(np.prod(shape))
    h = pattern(key, n)
    leaf = key.rsplit(".", 1)[-1]
    if leaf == "weight" and batch_norm:
        v = 0.8 + 0.4 * h
    elif leaf in ("weight", "in_proj_weight"):
        fan_in = n // shape[0]
        v = (h - 0.5) * (2.0 * math.sqrt(6.0 / fan_in))
    elif leaf == "running_var":
        v = 0.5 + h
    else:  # bias, running_mean
        v = (h - 0.5) * 0.2
    return v.astype(np.float32).reshape(shape)


def inputs(side=SIDE):
    return torch.from_numpy(pattern("input", 2 * 3 * side * side).astype(np.float32).reshape(2, 3, side, side))


# torchvision VisionTransformer configs: the small one of the tests (and of the shipped ViT's shape) and vit_b_16
VITS = {
    "vit_small": dict(image_size=SIDE, patch_size=8, num_layers=2, num_heads=4, hidden_dim=32, mlp_dim=64),
    "vit_b_16": dict(image_size=224, patch_size=16, num_layers=12, num_heads=12, hidden_dim=768, mlp_dim=3072),
}


def vit_fixtures(out):
    """ViTs with pattern weights (LayerNorm weights as BatchNorm's): expected logits and input gradients."""
    for name, config in VITS.items():
        model = torchvision.models.VisionTransformer(**config, num_classes=10)
        norms = {n for n, mod in model.named_modules() if isinstance(mod, torch.nn.LayerNorm)}
        with torch.no_grad():
            for key, t in model.state_dict().items():
                t.copy_(torch.from_numpy(value(key, tuple(t.shape), key.rsplit(".", 1)[0] in norms)))
        logits, grad = expected(model, inputs(config["image_size"]), MEAN, STD)
        np.savez(os.path.join(out, "torchvision", name + "-expected.npz"), logits=logits, gradient=grad,
                 targets=np.array(TARGETS, dtype=np.int32))
        print(name, "logits", logits[0, :4])


def small_vit():
    """The small ViT of the tests with pattern weights, in eval mode."""
    model = torchvision.models.VisionTransformer(**VITS["vit_small"], num_classes=10)
    norms = {n for n, mod in model.named_modules() if isinstance(mod, torch.nn.LayerNorm)}
    with torch.no_grad():
        for key, t in model.state_dict().items():
            t.copy_(torch.from_numpy(value(key, tuple(t.shape), key.rsplit(".", 1)[0] in norms)))
    return model.eval()


def attention_fixtures(out):
    """The small ViT's attention (torch's own nn.MultiheadAttention weights, per head), attention rollout
    (Abnar and Zuidema 2020: heads fused, lowest share discarded per sample except entry (0, 0), (A + I) / 2
    renormalised, multiplied over the layers) and Chefer et al.'s generic attention map (ICCV 2021: R = I,
    R += mean_heads((grad * A)^+) R per layer), each as the class token's row over the 8 x 8 patches; LeGrad's
    maps (64 x 64) and Grad-CAM on the first block's output tokens (8 x 8)."""
    model = small_vit()
    captured = []
    outputs = []

    def block_forward(self, x_in):
        # the attention written out (as Chefer et al.'s code does) so its probabilities keep their gradient;
        # checked against torch's own nn.MultiheadAttention output and weights
        y = self.ln_1(x_in)
        mha = self.self_attention
        b, t, d = y.shape
        h = mha.num_heads
        q, k, v = torch.nn.functional.linear(y, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
        q, k, v = (z.reshape(b, t, h, d // h).transpose(1, 2) for z in (q, k, v))
        weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // h), dim=-1)
        weights.retain_grad()
        captured.append(weights)
        out = mha.out_proj((weights @ v).transpose(1, 2).reshape(b, t, d))
        with torch.no_grad():
            ref, ref_weights = mha(y, y, y, need_weights=True, average_attn_weights=False)
            assert torch.allclose(out, ref, atol=1e-5) and torch.allclose(weights, ref_weights, atol=1e-6)
        x = out + x_in
        x = x + self.mlp(self.ln_2(x))
        outputs.append(x)
        return x

    for layer in model.encoder.layers:
        layer.forward = block_forward.__get__(layer)
    x = inputs().requires_grad_(True)
    m = torch.tensor(MEAN).reshape(1, -1, 1, 1)
    s = torch.tensor(STD).reshape(1, -1, 1, 1)
    logits = model((x - m) / s)
    n, t = 2, captured[0].shape[-1]
    rows = torch.arange(n)
    target = torch.tensor(TARGETS)

    # LeGrad (Bousselham et al. 2024): each block's output through the final norm and the head, the gradient of
    # its target score at that block's attention, positive part, averaged over heads and query tokens; summed
    # over the blocks, upsampled (bilinear, half-pixel) and min-max scaled per image
    legrad = 0
    for a, z in zip(captured, outputs):
        score = model.heads(model.encoder.ln(z)[:, 0])[rows, target].sum()
        g = torch.autograd.grad(score, a, retain_graph=True)[0]
        legrad = legrad + g.clamp(min=0).mean(1).mean(1)[:, 1:].reshape(n, 8, 8)
    up = torch.nn.functional.interpolate(legrad[:, None], scale_factor=8, mode="bilinear", align_corners=False)[:, 0]
    lo = up.amin(dim=(1, 2), keepdim=True)
    legrad_maps = ((up - lo) / (up.amax(dim=(1, 2), keepdim=True) - lo)).detach().numpy()

    # Grad-CAM on the tokens of the first block's output (the last block's input): patch tokens as the 8 x 8
    # grid of hidden_dim channels, weights the grid mean of the target logit's gradient there
    tokens = outputs[0]
    g = torch.autograd.grad(logits[rows, target].sum(), tokens, retain_graph=True)[0]
    grid = tokens[:, 1:].reshape(n, 8, 8, -1).permute(0, 3, 1, 2)
    grid_g = g[:, 1:].reshape(n, 8, 8, -1).permute(0, 3, 1, 2)
    token_cam = (grid_g.mean(dim=(2, 3))[:, :, None, None] * grid).sum(1).clamp(min=0).detach().numpy()

    for a in captured:
        a.grad = None  # retain_grad's hook also fills .grad during autograd.grad: only the logits' backward counts
    logits[rows, target].sum().backward()
    eye = torch.eye(t).expand(n, t, t)

    def rollout(fusion, discard):
        result = eye.clone()
        for a in captured:
            a = a.detach()
            fused = {"mean": a.mean(1), "max": a.max(1).values, "min": a.min(1).values}[fusion].clone()
            flat = fused.view(n, -1)
            k = int(flat.shape[-1] * discard)
            for i in range(n):
                low = torch.argsort(flat[i], stable=True)[:k]
                low = low[low != 0]
                flat[i, low] = 0
            a = (fused + eye) / 2
            a = a / a.sum(dim=-1, keepdim=True)
            result = torch.bmm(a, result)
        return result[:, 0, 1:].reshape(n, 8, 8).numpy()

    r = eye.clone()
    for a in captured:
        cam = (a.grad * a.detach()).clamp(min=0).mean(1)
        r = r + torch.bmm(cam, r)
    generic = r[:, 0, 1:].reshape(n, 8, 8).numpy()
    np.savez(os.path.join(out, "torchvision", "vit_small-attention.npz"),
             attention0=captured[0].detach().numpy(), rollout_mean=rollout("mean", 0.0),
             rollout_max_discard=rollout("max", 0.5), generic=generic, legrad=legrad_maps, token_grad_cam=token_cam,
             targets=np.array(TARGETS, dtype=np.int32))
    print("rollout", rollout("mean", 0.0)[0, 0, :4], "generic", generic[0, 0, :4])


def lrp_fixtures(out):
    """The small ViT's LRP relevance of the normalised input z (z * dy/dz, summed over channels) with the
    transformer rules written out: LayerNorm divided by its standard deviation held constant, GELU as x
    times its gate held constant, q k^T and attention times values split evenly between their factors
    ((a b.detach() + a.detach() b) / 2), the softmax as it is (AttnLRP, Achtibat et al. 2024) or held
    constant with all relevance through the values (CP-LRP, Ali et al. 2022)."""

    def norm(mod, x):
        centred = x - x.mean(-1, keepdim=True)
        std = (centred.pow(2).mean(-1, keepdim=True) + mod.eps).sqrt().detach()
        return centred / std * mod.weight + mod.bias

    def even(a, b):
        return 0.5 * (a @ b.detach() + a.detach() @ b)

    def relevance(mode, rules=True):
        model = small_vit()
        attention = []

        def block_forward(self, x_in):
            y = norm(self.ln_1, x_in) if rules else self.ln_1(x_in)
            mha = self.self_attention
            b, t, d = y.shape
            h = mha.num_heads
            q, k, v = torch.nn.functional.linear(y, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
            q, k, v = (z.reshape(b, t, h, d // h).transpose(1, 2) for z in (q, k, v))
            if rules:
                a = torch.softmax(even(q / math.sqrt(d // h), k.transpose(-2, -1)), dim=-1)
            else:
                a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(d // h), dim=-1)
            a.retain_grad()
            attention.append(a)
            if not rules:
                o = a @ v
            else:
                o = a.detach() @ v if mode == "detach" else even(a, v)
            x = mha.out_proj(o.transpose(1, 2).reshape(b, t, d)) + x_in
            if not rules:
                return x + self.mlp(self.ln_2(x))
            hidden = self.mlp[0](norm(self.ln_2, x))
            gate = (0.5 * (1 + torch.erf(hidden / math.sqrt(2)))).detach()
            return x + self.mlp[3](hidden * gate)

        for layer in model.encoder.layers:
            layer.forward = block_forward.__get__(layer)
        final = model.encoder.ln
        if rules:
            final.forward = lambda x: norm(final, x)
        m = torch.tensor(MEAN).reshape(1, -1, 1, 1)
        s = torch.tensor(STD).reshape(1, -1, 1, 1)
        z = ((inputs() - m) / s).requires_grad_(True)
        logits = model(z)
        logits[torch.arange(2), torch.tensor(TARGETS)].sum().backward()
        return (z * z.grad).sum(1).detach().numpy(), logits.detach().numpy(), attention

    taylor, logits, lrp_attention = relevance("taylor")
    detach, _, _ = relevance("detach")
    # Chefer, Gur and Wolf (CVPR 2021, "transformer attribution"), relevance from the rules above: per block the
    # attention's relevance R_A = A * dy_lrp/dA, weighted by the plain gradient dy/dA, positive part, heads
    # averaged, rolled out from the identity as the generic map is
    _, _, plain = relevance("taylor", rules=False)
    n, t = 2, plain[0].shape[-1]
    r = torch.eye(t).expand(n, t, t)
    for a, b in zip(plain, lrp_attention):
        weighted = (a.grad * (b.detach() * b.grad)).clamp(min=0).mean(1)
        r = r + torch.bmm(weighted, r)
    chefer = r[:, 0, 1:].reshape(n, 8, 8).numpy()
    np.savez(os.path.join(out, "torchvision", "vit_small-lrp.npz"), attn_lrp=taylor, cp_lrp=detach, logits=logits,
             transformer_attribution=chefer, targets=np.array(TARGETS, dtype=np.int32))
    print("attn_lrp", taylor[0, 0, :3], "cp_lrp", detach[0, 0, :3])


def expected(model, x, mean, std):
    """Logits and the input gradient of each sample's target logit, in pixel space."""
    model.eval()
    x = x.clone().requires_grad_(True)
    m = torch.tensor(mean).reshape(1, -1, 1, 1)
    s = torch.tensor(std).reshape(1, -1, 1, 1)
    logits = model((x - m) / s)
    logits[torch.arange(2), torch.tensor(TARGETS)].sum().backward()
    return logits.detach().numpy(), x.grad.numpy()


def torchvision_fixtures(out):
    for arch in ["resnet18", "resnet34", "resnet50", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn"]:
        model = getattr(torchvision.models, arch)(num_classes=10)
        bn = {name for name, mod in model.named_modules() if isinstance(mod, torch.nn.BatchNorm2d)}
        sd = model.state_dict()
        for key, t in sd.items():
            if key.endswith("num_batches_tracked"):
                continue
            t.copy_(torch.from_numpy(value(key, tuple(t.shape), key.rsplit(".", 1)[0] in bn)))
        logits, grad = expected(model, inputs(), MEAN, STD)
        np.savez(os.path.join(out, "torchvision", arch + "-expected.npz"), logits=logits, gradient=grad,
                 targets=np.array(TARGETS, dtype=np.int32))
        print(arch, "logits", logits[0, :4])


def write_safetensors(path, arrays):
    header = {}
    offset = 0
    blobs = []
    for name, a in arrays.items():
        a = np.ascontiguousarray(a)
        dtype = {np.dtype("float32"): "F32", np.dtype("int64"): "I64"}[a.dtype]
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        blobs.append(a.tobytes())
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


class Custom(torch.nn.Module):
    """The custom CNN, with features/head methods exported for TorchScript."""

    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.BatchNorm2d(8), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(16, 4))

    def forward(self, x):
        return self.net(x)


class Scripted(torch.nn.Module):
    """The custom CNN for TorchScript, with its trunk and head exported as methods (for Grad-CAM)."""

    def __init__(self, seq):
        super().__init__()
        self.trunk = seq[:6]
        self.classifier = seq[6:]

    def forward(self, x):
        return self.classifier(self.trunk(x))

    @torch.jit.export
    def features(self, x):
        return self.trunk(x)

    @torch.jit.export
    def head(self, x):
        return self.classifier(x)


def custom_fixtures(out):
    torch.manual_seed(0)
    model = Custom()
    with torch.no_grad():
        bn = model.net[1]
        bn.running_mean.uniform_(-0.2, 0.2)
        bn.running_var.uniform_(0.5, 1.5)
        bn.weight.uniform_(0.8, 1.2)
        bn.bias.uniform_(-0.1, 0.1)
    model.eval()
    seq = model.net
    sd = {k: v.numpy() for k, v in seq.state_dict().items()}
    d = os.path.join(out, "custom-cnn")
    os.makedirs(d, exist_ok=True)
    np.savez(os.path.join(d, "weights.npz"), **sd)
    write_safetensors(os.path.join(d, "weights.safetensors"), sd)
    card = {
        "id": "custom-cnn", "version": "1", "format": "state_dict", "architecture": "custom",
        "layers": [
            {"type": "conv", "filters": 8, "kernel": 3, "padding": 1}, {"type": "bn"}, {"type": "relu"},
            {"type": "maxpool", "kernel": 2},
            {"type": "conv", "filters": 16, "kernel": 3, "padding": 1}, {"type": "relu"},
            {"type": "gap"}, {"type": "flatten"}, {"type": "dense", "units": 4}],
        "weights": "weights.npz",
        "input": {"channels": 3, "height": SIDE, "width": SIDE},
        "preprocessing": {"resize": "bilinear", "mean": MEAN, "std": STD},
        "classes": ["a", "b", "c", "d"],
    }
    with open(os.path.join(d, "model.json"), "w") as f:
        json.dump(card, f, indent=2)
    ts = os.path.join(out, "custom-cnn-torchscript")
    os.makedirs(ts, exist_ok=True)
    scripted = torch.jit.script(Scripted(seq).eval())
    scripted.save(os.path.join(ts, "model.pt"))
    ts_card = dict(card)
    del ts_card["layers"]
    ts_card.update({"id": "custom-cnn-torchscript", "format": "torchscript", "architecture": "torchscript",
                    "weights": "model.pt", "script_methods": {"features": "features", "head": "head"}})
    with open(os.path.join(ts, "model.json"), "w") as f:
        json.dump(ts_card, f, indent=2)
    global TARGETS
    saved = TARGETS
    TARGETS = [1, 3]
    logits, grad = expected(seq, inputs(), MEAN, STD)
    TARGETS = saved
    np.savez(os.path.join(d, "expected.npz"), logits=logits, gradient=grad, targets=np.array([1, 3], dtype=np.int32))
    print("custom logits", logits[0])


def bench_model(out):
    """A traced torchvision ResNet-18 (1000 classes, pattern weights) for xai bench's model-format section."""
    model = torchvision.models.resnet18()
    for key, t in model.state_dict().items():
        if not key.endswith("num_batches_tracked"):
            t.copy_(torch.from_numpy(value(key, tuple(t.shape), ".bn" in key or "downsample.1" in key or key.startswith("bn1"))))
    model.eval()
    os.makedirs(out, exist_ok=True)
    torch.jit.trace(model, torch.zeros(1, 3, 224, 224)).save(os.path.join(out, "resnet18.pt"))
    print("wrote", os.path.join(out, "resnet18.pt"))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--bench":
        bench_model(sys.argv[2])  # e.g. --bench bench-out (not committed: 45 MB)
        sys.exit(0)
    out = sys.argv[1] if len(sys.argv) > 1 else "common/src/test/resources/fixtures"
    os.makedirs(os.path.join(out, "torchvision"), exist_ok=True)
    if len(sys.argv) > 2 and sys.argv[2] == "--vit":
        vit_fixtures(out)  # only the ViTs (the others are committed)
        attention_fixtures(out)
        lrp_fixtures(out)
        sys.exit(0)
    custom_fixtures(out)
    torchvision_fixtures(out)
    vit_fixtures(out)
    attention_fixtures(out)
    lrp_fixtures(out)
