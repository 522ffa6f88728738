import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCommand } from '../run-command.ts';
import { REPO_ROOT } from '../repo-root.ts';
import { CannotRunHereError } from './cannot-run-here-error.ts';
import type { DockerEngine } from './docker-engine.ts';
import { lastLines } from './docker-engine.ts';

/** The base image the app images are built on (the Dockerfile's NODE_IMAGE build argument). */
export interface NodeBaseImage {
  /** Image reference passed as `--build-arg NODE_IMAGE=…`. */
  readonly image: string;
  /** `official`: pulled from the registry; `stand-in`: made here from Debian packages and the repository's Node. */
  readonly kind: 'official' | 'stand-in';
  /** One line for the report: what the base is and why. */
  readonly description: string;
}

/** Options of {@link provideNodeBaseImage}. */
export interface NodeBaseImageOptions {
  readonly engine: DockerEngine;
  /** The official image the Dockerfile names (its NODE_IMAGE default), e.g. `node:24-bookworm-slim`. */
  readonly officialImage: string;
  /** Scratch folder of this run (the stand-in's root filesystem is assembled here). */
  readonly workDir: string;
  readonly log: (line: string) => void;
  /** Aborted when the run gives up: debootstrap and tar are killed. */
  readonly signal: AbortSignal;
}

const PULL_TIMEOUT_MS = 180_000;
/** Where the debootstrapped Debian is kept between runs (the repository's git-ignored .data folder). */
const CACHE_DIR = path.join(REPO_ROOT, '.data', 'container-base');
const DEBIAN_MIRROR = process.env['DEBIAN_MIRROR'] ?? 'http://deb.debian.org/debian';
const NODE_PACKAGE_DIR = path.join(REPO_ROOT, 'node_modules', 'node');

/**
 * The official Node image when the engine can pull it; otherwise a stand-in of the same shape, made here: a
 * minimal Debian of the same release (`debootstrap --variant=minbase`), the Node binary of the repository's `node`
 * devDependency in /usr/local/bin, the npm that runs this check in /usr/local/lib/node_modules/npm with `npm` and
 * `npx` links, and a `node` user and group with id 1000 — what the Dockerfile relies on from the official image.
 * The stand-in also trusts this host's CA bundle (NODE_EXTRA_CA_CERTS) so that `npm ci` in the build works behind
 * a TLS-inspecting proxy, as it does on the host.
 */
export async function provideNodeBaseImage(options: NodeBaseImageOptions): Promise<NodeBaseImage> {
  const { engine, officialImage, log } = options;
  log(`pulling ${officialImage}`);
  const pulled = await engine.run(['pull', officialImage], { timeoutMs: PULL_TIMEOUT_MS });
  if (pulled.code === 0) return { image: officialImage, kind: 'official', description: `${officialImage}, pulled from the registry` };
  const why = lastLines(pulled.stderr || pulled.stdout, 1) || `docker pull exited ${pulled.code}`;
  log(`cannot pull ${officialImage} (${why}): making a stand-in base`);

  const suite = /-(bookworm|trixie|bullseye)\b/.exec(officialImage)?.[1] ?? 'bookworm';
  const nodeVersion = (JSON.parse(await readFile(path.join(NODE_PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  const rootfs = path.join(options.workDir, 'stand-in-rootfs');
  await debianRootfs(rootfs, suite, log, options.signal);
  await installNode(rootfs);
  const caBundle = process.env['NODE_EXTRA_CA_CERTS'] ?? '/etc/ssl/certs/ca-certificates.crt';
  const changes = ['ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'CMD ["node"]'];
  if (existsSync(caBundle)) {
    await mkdir(path.join(rootfs, 'etc', 'ssl', 'certs'), { recursive: true });
    await copyFile(caBundle, path.join(rootfs, 'etc', 'ssl', 'certs', 'mcpfed-host-ca-bundle.crt'));
    changes.push('ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/mcpfed-host-ca-bundle.crt');
  }
  const image = `mcpfed-check/node:${nodeVersion}-${suite}-slim`;
  const tarball = path.join(options.workDir, 'stand-in-rootfs.tar');
  await ok('tar', ['-C', rootfs, '-cf', tarball, '.'], 300_000, options.signal);
  await engine.ok(['import', ...changes.flatMap((change) => ['--change', change]), tarball, image], { timeoutMs: 300_000 });
  await rm(tarball, { force: true });
  await rm(rootfs, { recursive: true, force: true });
  return {
    image,
    kind: 'stand-in',
    description: `${image}, a stand-in made here (Debian ${suite} minbase + Node ${nodeVersion} from the node package) because ${officialImage} cannot be pulled: ${why}`,
  };
}

/** A minimal Debian in `rootfs`: from the cache when a previous run made one, else debootstrap (about a minute), then cached. */
async function debianRootfs(rootfs: string, suite: string, log: (line: string) => void, signal: AbortSignal): Promise<void> {
  const cached = path.join(CACHE_DIR, `debian-${suite}-minbase.tar`);
  await mkdir(rootfs, { recursive: true });
  if (existsSync(cached)) {
    log(`Debian ${suite} minbase from ${path.relative(REPO_ROOT, cached)}`);
    await ok('tar', ['-C', rootfs, '-xf', cached], 300_000, signal);
    return;
  }
  if ((await runCommand('debootstrap', ['--version'], { timeoutMs: 30_000 })).code !== 0) {
    throw new CannotRunHereError('the official base image cannot be pulled and there is no debootstrap to make a stand-in (apt-get install debootstrap)');
  }
  log(`debootstrap --variant=minbase ${suite} from ${DEBIAN_MIRROR}`);
  await ok('debootstrap', ['--variant=minbase', suite, rootfs, DEBIAN_MIRROR], 900_000, signal);
  // As the official slim images: no package archives or lists (about 50 MB).
  for (const dir of [
    ['var', 'cache', 'apt', 'archives'],
    ['var', 'lib', 'apt', 'lists'],
  ]) {
    await rm(path.join(rootfs, ...dir), { recursive: true, force: true });
    await mkdir(path.join(rootfs, ...dir, 'partial'), { recursive: true });
  }
  await mkdir(CACHE_DIR, { recursive: true });
  await ok('tar', ['-C', rootfs, '-cf', `${cached}.partial`, '.'], 300_000, signal);
  await rename(`${cached}.partial`, cached);
}

/** Node, npm and the `node` user (uid/gid 1000) as the official image has them. */
async function installNode(rootfs: string): Promise<void> {
  const bin = path.join(rootfs, 'usr', 'local', 'bin');
  const modules = path.join(rootfs, 'usr', 'local', 'lib', 'node_modules');
  await mkdir(bin, { recursive: true });
  await mkdir(modules, { recursive: true });
  await copyFile(path.join(NODE_PACKAGE_DIR, 'bin', 'node'), path.join(bin, 'node'));
  await cp(await npmPackageDir(), path.join(modules, 'npm'), { recursive: true, dereference: false });
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', path.join(bin, 'npm'));
  await symlink('../lib/node_modules/npm/bin/npx-cli.js', path.join(bin, 'npx'));
  await ok('chroot', [rootfs, 'groupadd', '--gid', '1000', 'node'], 60_000);
  await ok('chroot', [rootfs, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node'], 60_000);
  await writeFile(path.join(rootfs, 'etc', 'mcpfed-stand-in'), 'A stand-in for the official Node image, made by npm run test:containers.\n');
}

/** The npm package that runs this check (npm sets npm_execpath), else the global one. */
async function npmPackageDir(): Promise<string> {
  const execPath = process.env['npm_execpath'];
  if (execPath !== undefined && execPath !== '' && existsSync(path.join(path.dirname(execPath), '..', 'package.json'))) {
    return path.resolve(path.dirname(execPath), '..');
  }
  const root = await runCommand('npm', ['root', '-g'], { timeoutMs: 30_000 });
  const dir = path.join(root.stdout.trim(), 'npm');
  if (root.code !== 0 || !existsSync(path.join(dir, 'package.json'))) throw new Error('no npm package found to put into the stand-in base image');
  return dir;
}

async function ok(command: string, args: readonly string[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const result = await runCommand(command, args, { timeoutMs, ...(signal === undefined ? {} : { signal }) });
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}: ${lastLines(result.stderr || result.stdout, 10)}`);
}
