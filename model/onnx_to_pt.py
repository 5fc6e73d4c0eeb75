"""Convert the shipped ONNX weights to a PyTorch file train.py can start from (--init-pt), for
machines without the onnx package (e.g. a lent GPU machine)."""
import json
import sys

import torch

from train import onnx_model, shipped_training

onnx_path, tokenizer_json, out_path = sys.argv[1:4]
vocab = json.load(open(tokenizer_json))["model"]["vocab"]
model = onnx_model(onnx_path, len(vocab))
torch.save({"model": model.state_dict(), "config": model.cfg.to_dict(), "training": shipped_training(onnx_path)}, out_path)
print(f"onnx_to_pt: {out_path}")
