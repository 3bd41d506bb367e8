import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start their own moto server and may apply Terraform; give them room.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: run files two at a time so moto servers and Terraform do not starve each other.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', NODE_NO_WARNINGS: '1' },
  },
});
