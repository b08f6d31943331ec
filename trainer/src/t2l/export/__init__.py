"""Bundle export (Contract 1): ONNX graphs, tokenizer, manifest and test vectors.

Import `t2l.export.bundle` for `export_bundle`; this package itself stays light so the CLI can
register `export-bundle` without loading onnx/onnxruntime.
"""
