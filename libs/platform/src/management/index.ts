export * from './management-settings';
export * from './management.module';
export * from './management.controller';
export * from './metrics';
export * from './readiness';
