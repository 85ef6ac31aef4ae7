// The seam between the proxy's informers and the data plane: each sync hands the whole desired state over; a
// proxier (nftables as root on Linux, userspace elsewhere) makes the data plane match it, changing only what differs.
import type { Endpoint, ServicePort } from './service-ports.js';

export interface ServicePortState {
  sp: ServicePort;
  /** Every endpoint of the port from its EndpointSlices (ready or not); the proxier picks the usable ones. */
  endpoints: Endpoint[];
}

/**
 * One sync's input. `full`: `services` holds every Service (anything else in the data plane goes); otherwise only
 * the Services that changed since the last successful sync (an empty list: the Service is gone or has no ports).
 * Keys are `namespace/name`.
 */
export interface ProxyUpdate {
  full: boolean;
  services: Map<string, ServicePortState[]>;
}

export interface Proxier {
  /** 'nftables' or 'userspace', for logs and `nanokube status`. */
  readonly mode: string;
  /** Makes the data plane match the update. Throws when it could not; the caller's next update is then full. */
  sync(update: ProxyUpdate): Promise<SyncStats>;
  /** Removes everything this proxier made (table, listeners). */
  stop(): Promise<void>;
}

export interface SyncStats {
  /** nft commands (or listeners changed) in this sync; 0 = nothing to do. */
  changes: number;
  full: boolean;
}
