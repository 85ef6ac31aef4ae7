// `nanokube ip`: the address a user opens NodePort services on.
//
// In the all-in-one mode the single node IS this host: the service proxy serves every NodePort on the host's own
// interfaces, so the loopback address always reaches them. It works with no network at all, never changes when the
// laptop moves between networks, and is not blocked by host firewalls, unlike the host's LAN address (minikube
// prints its VM's address instead, because there the node is a separate machine).
export const NODE_ACCESS_IP = '127.0.0.1';

export function ip(): void {
  process.stdout.write(`${NODE_ACCESS_IP}\n`);
}
