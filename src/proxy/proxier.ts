// The seam between the proxy's informers and the data plane: each sync hands the whole desired state over; a
// proxier (nftables as root on Linux, userspace elsewhere) makes the data plane match it, changing only what differs.
import type { Endpoint, ServicePort } from './service-ports.js';

export interface ServicePortState {
  sp: ServicePort;
  /** Every endpoint of the port from its EndpointSlices (ready or not); the proxier picks the usable ones. */
  endpoints: Endpoint[];
}

export interface Proxier {
  /** 'nftables' or 'userspace', for logs and `nanokube status`. */
  readonly mode: string;
  /** Makes the data plane match `ports`. Throws when it could not; the next sync starts from scratch. */
  sync(ports: ServicePortState[]): Promise<SyncStats>;
  /** Removes everything this proxier made (table, listeners). */
  stop(): Promise<void>;
}

export interface SyncStats {
  /** nft commands (or listeners changed) in this sync; 0 = nothing to do. */
  changes: number;
  full: boolean;
}
