"""Bundle export (Contract 1): ONNX graphs, tokenizer, manifest and test vectors."""

from t2l.export.bundle import BUNDLE_SCHEMA, ExportOptions, export_bundle

__all__ = ["BUNDLE_SCHEMA", "ExportOptions", "export_bundle"]
