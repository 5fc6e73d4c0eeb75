"""Python side of ort_server.mjs: run an exported graph in onnxruntime-node, and the Node tokenizer."""

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


class OrtGraph:
    """One Node process holding one onnxruntime session; `forward` is one session.run."""

    def __init__(self, graph):
        self.proc = subprocess.Popen(["node", str(HERE / "ort_server.mjs"), str(graph)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def request(self, **req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        reply = json.loads(self.proc.stdout.readline())
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def top(self, ids, rows, exclude, block=None):
        """[(argmax id other than `exclude`, its float64 softmax probability)] for each row."""
        return [tuple(r) for r in self.request(ids=list(ids), rows=list(rows), exclude=exclude, block=block)["top"]]

    def logits(self, ids, block=None):
        with tempfile.NamedTemporaryFile(suffix=".f32") as f:
            vocab = self.request(ids=list(ids), rows=[], block=block, out=f.name)["vocab"]
            return np.fromfile(f.name, dtype=np.float32).reshape(len(ids), vocab)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()
        self.proc.stdout.close()


def node_tokenizer(folder, items, decode=False):
    """Encode strings (or decode id lists, special tokens skipped) with tokenize.mjs."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.json", Path(tmp) / "out.json"
        src.write_text(json.dumps(items))
        subprocess.run(["node", str(HERE / "tokenize.mjs"), str(folder), str(src), str(dst)]
                       + (["decode"] if decode else []), check=True)
        return json.loads(dst.read_text())
