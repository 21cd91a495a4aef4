export * from './cursor';
export * from './data-source';
export * from './paging';
