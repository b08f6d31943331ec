/** Secrets for the test Worker only; long enough to pass the env validation. */
export const TEST_SECRETS = {
  OPERATOR_KEY: "t2l_op_test-operator-key-0123456789abcdef",
  GPU_WORKER_SECRET: "test-gpu-worker-secret-0123456789abcdef",
  URL_SIGNING_SECRET: "test-url-signing-secret-0123456789abcdef",
} as const;
