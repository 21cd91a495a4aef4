export * from './http';
export * from './system';
export * from './wait-for';
