// The machinery of background work, written once for every service: loops, leases on
// claimed rows, back-off, and what runs after a commit.
export * from './single-flight';
export * from './periodic-worker';
export * from './backoff';
export * from './lease';
export * from './after-commit';
export * from './faults';
export * from './work-context';
export * from './metric-definitions';
