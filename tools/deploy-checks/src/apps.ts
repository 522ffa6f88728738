import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './repo-root.ts';

/** One deployable app and the facts the deployment artifacts must agree with. */
export interface DeployableApp {
  /** Folder under apps/, e.g. `customer-server`. */
  readonly name: string;
  /** Default port from its config (`commonServerEnv(<port>)`). */
  readonly port: number;
  /** Whether it owns a database (has a migrations folder): then its Deployment migrates in an init container and compose has a `-migrate` service. */
  readonly hasDatabase: boolean;
}

/** Every app under apps/ with its default port, read from its src/config.ts. */
export async function deployableApps(): Promise<DeployableApp[]> {
  const names = (await readdir(path.join(REPO_ROOT, 'apps'), { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const apps: DeployableApp[] = [];
  for (const name of names.sort()) {
    const config = await readFile(path.join(REPO_ROOT, 'apps', name, 'src', 'config.ts'), 'utf8').catch(() => '');
    const port = /commonServerEnv\((\d+)\)|\bPORT:\s*port\((\d+)\)/.exec(config);
    if (port === null) throw new Error(`apps/${name}/src/config.ts: no default port found (commonServerEnv(<port>) or PORT: port(<port>))`);
    const hasDatabase = await readdir(path.join(REPO_ROOT, 'apps', name, 'migrations')).then(
      () => true,
      () => false,
    );
    apps.push({ name, port: Number(port[1] ?? port[2]), hasDatabase });
  }
  return apps;
}
