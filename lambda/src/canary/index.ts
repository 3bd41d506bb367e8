/**
 * Lambda entry point of the lag canary (handler "canary.handler"), run on a schedule.
 * Settings are read once, at cold start; a bad one fails the init naming it.
 */
import { coldStart } from '../cold-start.js';
import { healthCheckDeps } from '../health-check-deps.js';
import { parseCanaryConfig } from './config.js';
import { createCanaryHandler } from './handler.js';

export const handler = createCanaryHandler(healthCheckDeps(coldStart(parseCanaryConfig)));
