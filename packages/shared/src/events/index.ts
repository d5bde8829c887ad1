export * from './topics';
export * from './envelope';
export * from './outbox-row';
