// The job mechanism's public face: define jobs, run them on a runner over a backend.
export { defineJob, JobPayloadError } from "./types";
export type { JobBackend, JobContext, JobDefinition, JobLock, JobState, JobView, Json } from "./types";
export { HEARTBEAT_MS, JobRunner, runJobInline, type RunOptions, type RunPlace } from "./runner";
