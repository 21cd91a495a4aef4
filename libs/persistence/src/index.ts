export * from './cursor';
export * from './data-source';
export * from './paging';
export * from './snake-naming.strategy';
export * from './bulk-insert';
export * from './find-by-keys';
export * from './row-id';
export * from './lock-order';
