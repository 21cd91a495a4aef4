// The metric helpers live in libs/workers (below libs/messaging, which defines metrics too).
export { counter, DURATION_BUCKETS, gauge, histogram } from '@connector/workers';
