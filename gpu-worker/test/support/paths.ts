import { fileURLToPath } from "node:url";

export const WORKER_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const PYTHON = process.env.T2L_PYTHON ?? `${REPO_ROOT}.venv/bin/python`;
export const FIXTURES_DIR = `${WORKER_ROOT}.cache/fixtures`;
export const BUNDLES_DIR = `${FIXTURES_DIR}/bundles`;
export const TINY_BUNDLE_DIR = `${BUNDLES_DIR}/tiny-t2l`;
export const TINY_INT8_BUNDLE_DIR = `${FIXTURES_DIR}/int8-bundles/tiny-t2l-int8`;
export const BATCH_DEPENDENT_ENCODER = `${FIXTURES_DIR}/batch-dependent-encoder.onnx`;
export const NORMALIZATION_VECTORS = `${REPO_ROOT}trainer/tests/data/normalization_vectors.json`;
