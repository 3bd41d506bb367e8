/**
 * Lambda entry point of the drift check (handler "drift.handler"), run on a schedule.
 * Settings are read once, at cold start; a bad one fails the init naming it.
 */
import { coldStart } from '../cold-start.js';
import { healthCheckDeps } from '../health-check-deps.js';
import { parseDriftConfig } from './config.js';
import { createDriftHandler } from './handler.js';
import { s3ReportWriter } from './report.js';

// STS in the source's region (the function's own, from the settings).
const deps = healthCheckDeps(coldStart(parseDriftConfig, (c) => c.region));

export const handler = createDriftHandler({
  ...deps,
  ...(deps.config.reportBucket ? { putReport: s3ReportWriter(deps.config.region) } : {}),
});
