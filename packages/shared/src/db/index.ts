// Database tooling shared by services, ops scripts and tests (framework-free, `pg` only).
export * from './database-url';
export * from './databases';
export * from './migrate';
export * from './prisma-schema';
export * from './schema-drift';
