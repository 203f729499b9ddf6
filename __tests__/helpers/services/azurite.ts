import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';

/** Azurite's documented development account (public, not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** http://127.0.0.1:PORT/devstoreaccount1 */
  blobUrl: string;
  credential: StorageSharedKeyCredential;
  service: BlobServiceClient;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** Starts azurite's blob service on a free loopback port, data in a temp dir. */
export async function startAzurite(): Promise<Azurite> {
  const location = await fs.mkdtemp(path.join(os.tmpdir(), 'alb-azurite-'));
  const bin = path.join(repoRoot(), 'node_modules', '.bin', 'azurite-blob');
  let lastErr = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      bin,
      [
        '--blobHost',
        '127.0.0.1',
        '--blobPort',
        String(port),
        '--location',
        location,
        '--skipApiVersionCheck',
        '--loose',
        '--silent',
        '--disableTelemetry'
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const ok = await waitListening(child, port, 20000);
    if (!ok) {
      lastErr = out;
      await kill(child);
      continue;
    }
    const blobUrl = `http://127.0.0.1:${port}/${DEV_ACCOUNT}`;
    const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
    return {
      blobUrl,
      credential,
      service: new BlobServiceClient(blobUrl, credential),
      stop: async () => {
        await kill(child);
        await fs.rm(location, { recursive: true, force: true });
      }
    };
  }
  await fs.rm(location, { recursive: true, force: true });
  throw new Error(`azurite did not start:\n${lastErr}`);
}

async function waitListening(
  child: ChildProcess,
  port: number,
  timeoutMs: number
): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) return false;
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return true;
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
