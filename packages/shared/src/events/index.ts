export * from './topics';
export * from './envelope';
