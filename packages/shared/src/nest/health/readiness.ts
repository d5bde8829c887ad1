/** Something a service depends on; `GET /health/ready` pings each one. */
export interface ReadinessCheck {
  readonly name: string;
  ping(): Promise<void>;
}

// Kept on the Nest entry point for the services' readiness checks; it lives at the package root.
export { withTimeout } from '../../async';
