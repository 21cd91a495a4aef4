export * from './enums';
export * from './page-query';
export * from './rpc-error';
export * from './message-contract';
