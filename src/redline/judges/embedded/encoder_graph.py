"""The MiniLM encoder as an int8 ONNX Runtime model, built here from the safetensors weights.

Why: on 2 cores the encoder is bound by its dense products. ONNX Runtime fuses the
layer norms and GELUs, and its int8 products (dynamic per-channel quantisation of the
weight matrices only; attention stays float) use the CPU's integer dot-product units, so
sentences embed 2-3x faster than in float32 NumPy. The weights never leave the machine:
the graph is written from them once, quantised, and kept beside them.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from redline.cache import cache_dir
from redline.ids import stable_id

HEADS, LAYERS, WIDTH, EPS = 12, 6, 384, 1e-12
#: Bump when the graph or its quantisation changes: heads record it with the encoder.
GRAPH_VERSION = "onnx-int8-1"


class _Graph:
    """Accumulates constants and nodes; each node gets a fresh output name."""

    def __init__(self) -> None:
        self.constants: list = []
        self.nodes: list = []

    def const(self, name: str, value: np.ndarray | float) -> str:
        from onnx import numpy_helper

        array = np.asarray(value, dtype=np.int64 if isinstance(value, list) else None)
        self.constants.append(numpy_helper.from_array(array, name))
        return name

    def op(self, kind: str, *inputs: str, **attributes: object) -> str:
        from onnx import helper

        out = f"n{len(self.nodes)}"
        self.nodes.append(helper.make_node(kind, list(inputs), [out], **attributes))
        return out

    def dense(self, x: str, w: dict[str, np.ndarray], prefix: str) -> str:
        """x @ W.T + b for a torch Linear layer (weights stored out x in)."""
        weight = self.const(f"{prefix}.weight", w[f"{prefix}.weight"].T.copy())
        return self.op(
            "Add", self.op("MatMul", x, weight), self.const(f"{prefix}.bias", w[f"{prefix}.bias"])
        )

    def layer_norm(self, x: str, w: dict[str, np.ndarray], prefix: str) -> str:
        scale = self.const(f"{prefix}.weight", w[f"{prefix}.weight"])
        shift = self.const(f"{prefix}.bias", w[f"{prefix}.bias"])
        return self.op("LayerNormalization", x, scale, shift, axis=-1, epsilon=EPS)


def build_model(w: dict[str, np.ndarray]):  # -> onnx.ModelProto
    """The BERT forward pass: (input_ids, position_ids) -> hidden states. No attention mask:
    texts run one at a time (see SentenceEncoder), so there is no padding to hide."""
    from onnx import TensorProto, helper

    g = _Graph()
    one = g.const("one", np.float32(1.0))
    words = g.op("Gather", g.const("word", w["embeddings.word_embeddings.weight"]), "input_ids")
    places = g.op(
        "Gather", g.const("place", w["embeddings.position_embeddings.weight"]), "position_ids"
    )
    segment = g.const("segment", w["embeddings.token_type_embeddings.weight"][0])
    x = g.layer_norm(g.op("Add", g.op("Add", words, places), segment), w, "embeddings.LayerNorm")
    split_heads = g.const("split_heads", [0, 0, HEADS, WIDTH // HEADS])
    join_heads = g.const("join_heads", [0, 0, WIDTH])
    root = g.const("root_head", np.float32(np.sqrt(WIDTH // HEADS)))
    root2 = g.const("root2", np.float32(np.sqrt(2.0)))
    half = g.const("half", np.float32(0.5))
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        q, k, v = (
            g.op("Reshape", g.dense(x, w, f"{p}attention.self.{name}"), split_heads)
            for name in ("query", "key", "value")
        )
        scores = g.op(
            "MatMul",
            g.op("Transpose", q, perm=[0, 2, 1, 3]),
            g.op("Transpose", k, perm=[0, 2, 3, 1]),
        )
        weights = g.op("Softmax", g.op("Div", scores, root), axis=-1)
        context = g.op("MatMul", weights, g.op("Transpose", v, perm=[0, 2, 1, 3]))
        context = g.op("Reshape", g.op("Transpose", context, perm=[0, 2, 1, 3]), join_heads)
        attended = g.dense(context, w, f"{p}attention.output.dense")
        x = g.layer_norm(g.op("Add", attended, x), w, f"{p}attention.output.LayerNorm")
        hidden = g.dense(x, w, f"{p}intermediate.dense")
        gelu = g.op("Add", g.op("Erf", g.op("Div", hidden, root2)), one)  # erf GELU, as BERT
        hidden = g.op("Mul", g.op("Mul", hidden, gelu), half)
        x = g.layer_norm(
            g.op("Add", g.dense(hidden, w, f"{p}output.dense"), x), w, f"{p}output.LayerNorm"
        )
    g.nodes[-1].output[0] = "hidden"
    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("position_ids", TensorProto.INT64, ["tokens"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", WIDTH])],
        g.constants,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _quantise(weights_file: Path, out: Path) -> None:
    from onnx import save
    from onnxruntime.quantization import QuantType, quant_pre_process, quantize_dynamic
    from safetensors.numpy import load_file

    w = {k: v.astype(np.float32) for k, v in load_file(str(weights_file)).items()}
    with tempfile.TemporaryDirectory() as scratch:
        plain = Path(scratch) / "float.onnx"
        prepared = Path(scratch) / "prepared.onnx"
        save(build_model(w), plain)
        # shapes inferred and constants folded first (the plain ONNX inference suffices here)
        quant_pre_process(plain, prepared, skip_symbolic_shape=True)
        quantize_dynamic(
            prepared,
            out,
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"MatMulConstBOnly": True},  # weights only: attention stays float
        )


def quantised_model(folder: Path) -> Path:
    """The int8 model for the weights in `folder`, built on first use (a few seconds) and
    kept beside them, or in the cache when that folder is read-only."""
    name = f"model.{GRAPH_VERSION}.onnx"
    beside = folder / name
    if beside.is_file():
        return beside
    if os.access(folder, os.W_OK):
        out = beside
    else:
        out = cache_dir() / "encoders" / stable_id("encoder", str(folder.resolve())) / name
        if out.is_file():
            return out
        out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(f".{os.getpid()}.part")
    _quantise(folder / "model.safetensors", partial)
    os.replace(partial, out)  # atomic: a concurrent builder writes the same bytes
    return out
