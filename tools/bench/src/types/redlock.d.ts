// A copy of packages/shared/src/types/redlock.d.ts (an ambient declaration is not exported with the package).
// redlock 5's package exposes its types only to ESM importers (its `exports` map has no `types`
// for `require`), so CommonJS code cannot see them; this declares the part we use.
declare module 'redlock' {
  import type { EventEmitter } from 'node:events';
  import type Redis from 'ioredis';

  export interface Settings {
    driftFactor: number;
    retryCount: number;
    retryDelay: number;
    retryJitter: number;
    automaticExtensionThreshold: number;
  }
  export class ExecutionError extends Error {}
  export class ResourceLockedError extends Error {}
  export interface Lock {
    readonly resources: string[];
    readonly expiration: number;
    release(): Promise<unknown>;
    extend(duration: number): Promise<Lock>;
  }
  export default class Redlock extends EventEmitter {
    constructor(clients: Iterable<Redis>, settings?: Partial<Settings>);
    acquire(resources: string[], duration: number, settings?: Partial<Settings>): Promise<Lock>;
  }
}
