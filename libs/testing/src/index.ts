export * from '@connector/test-environment';
export * from './amazon-order.builder';
export * from './running-system';
export * from './sandbox-process';
export * from './fault-invariants';
export * from './fault-figures';
