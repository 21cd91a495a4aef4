export * from './demo';
export * from './system';
export * from './wait-for';
