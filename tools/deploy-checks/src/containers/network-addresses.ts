import type { DockerEngine } from './docker-engine.ts';

/** The run's bridge network and the fixed address of each app on it. */
export interface BridgeAddresses {
  /** CIDR, e.g. `172.18.0.0/16`. */
  readonly subnet: string;
  /** The host's address on the bridge: PostgreSQL, Redis and the token issuer listen there. */
  readonly gateway: string;
  /** Address per app: `.10`, `.11`, … of the subnet. */
  readonly ips: Readonly<Record<string, string>>;
}

/**
 * Creates the user-defined bridge network `name` on a subnet the engine considers free (it avoids the host's
 * routes) and gives each app a fixed address: Docker assigns fixed addresses only on a network created with an
 * explicit subnet, so the network is made once to learn a free subnet and made again with it.
 */
export async function bridgeAddresses(engine: DockerEngine, name: string, apps: readonly string[]): Promise<BridgeAddresses> {
  await engine.ok(['network', 'create', '--driver', 'bridge', name]);
  const subnet = await engine.ok(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', name]);
  await engine.ok(['network', 'rm', name]);
  const [address = '', bits = ''] = subnet.split('/');
  const base = toNumber(address);
  if (!(Number(bits) <= 24)) throw new Error(`the engine chose ${subnet}; a /24 or larger subnet is needed`);
  const gateway = toAddress(base + 1);
  await engine.ok(['network', 'create', '--driver', 'bridge', '--subnet', subnet, '--gateway', gateway, name]);
  return { subnet, gateway, ips: Object.fromEntries(apps.map((app, index) => [app, toAddress(base + 10 + index)])) };
}

function toNumber(address: string): number {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) throw new Error(`not an IPv4 address: ${address}`);
  return parts.reduce((sum, part) => sum * 256 + part, 0);
}

function toAddress(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
