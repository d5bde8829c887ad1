// Framework-free root of @shop/shared: contracts that every service and tool may import.
export * from './errors';
export * from './events';
export * from './money';
export * from './async';
export * from './coalescer';
export * from './pricing';
