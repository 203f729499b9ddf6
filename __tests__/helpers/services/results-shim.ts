import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import {
  BlobSASPermissions,
  ContainerClient,
  SASProtocol,
  generateBlobSASQueryParameters
} from '@azure/storage-blob';
import { Azurite } from './azurite.js';

/**
 * The Twirp JSON "results" endpoints GitHub's runner talks to for caches and artifacts, kept
 * in memory; blobs live in azurite and are handed out as SAS URLs (what the toolkit's Azure
 * client expects). Wire names are snake_case and int64 values are strings.
 */
export interface ResultsShim {
  url: string;
  /** Every request seen, `Service/Method` (for tests that assert what was called). */
  calls: string[];
  stop(): Promise<void>;
}

interface CacheEntry {
  key: string;
  version: string;
  blob: string;
  finalized: boolean;
  size: string;
  created: number;
  id: number;
}

interface ArtifactEntry {
  run: string;
  job: string;
  name: string;
  blob: string;
  finalized: boolean;
  size: string;
  digest: string;
  created: Date;
  id: number;
}

const PREFIX = '/twirp/github.actions.results.api.v1.';

export async function startResultsShim(azurite: Azurite): Promise<ResultsShim> {
  const container = azurite.service.getContainerClient('actions-results');
  await container.createIfNotExists();
  const caches: CacheEntry[] = [];
  const artifacts: ArtifactEntry[] = [];
  const calls: string[] = [];
  let nextId = 1;

  const sas = (blob: string, perms: string): string => {
    const q = generateBlobSASQueryParameters(
      {
        containerName: container.containerName,
        blobName: blob,
        permissions: BlobSASPermissions.parse(perms),
        startsOn: new Date(Date.now() - 60_000),
        expiresOn: new Date(Date.now() + 3_600_000),
        protocol: SASProtocol.HttpsAndHttp
      },
      azurite.credential
    );
    return `${container.getBlockBlobClient(blob).url}?${q.toString()}`;
  };

  const handlers: Record<string, (b: Record<string, unknown>) => unknown> = {
    'CacheService/CreateCacheEntry': (b) => {
      const key = String(b.key);
      const version = String(b.version);
      if (caches.some((c) => c.key === key && c.version === version)) {
        return { ok: false, signed_upload_url: '', message: `cache entry ${key} already exists` };
      }
      const blob = `caches/${randomUUID()}.tzst`;
      caches.push({
        key,
        version,
        blob,
        finalized: false,
        size: '0',
        created: Date.now(),
        id: nextId++
      });
      return { ok: true, signed_upload_url: sas(blob, 'rcw') };
    },
    'CacheService/FinalizeCacheEntryUpload': (b) => {
      const e = caches.find(
        (c) => c.key === String(b.key) && c.version === String(b.version) && !c.finalized
      );
      if (!e) return { ok: false, entry_id: '0', message: 'no such pending entry' };
      e.finalized = true;
      e.size = String(b.size_bytes ?? b.sizeBytes ?? '0');
      return { ok: true, entry_id: String(e.id) };
    },
    'CacheService/GetCacheEntryDownloadURL': (b) => {
      const version = String(b.version);
      const done = caches.filter((c) => c.finalized && c.version === version);
      const restoreKeys = (b.restore_keys ?? b.restoreKeys ?? []) as string[];
      // GitHub's order: the exact key, then each restore key exactly, then as a prefix (newest).
      let hit = done.find((c) => c.key === String(b.key));
      for (const rk of restoreKeys) {
        if (hit) break;
        hit = done.find((c) => c.key === rk) ?? newest(done.filter((c) => c.key.startsWith(rk)));
      }
      if (!hit) return { ok: false, signed_download_url: '', matched_key: '' };
      return { ok: true, signed_download_url: sas(hit.blob, 'r'), matched_key: hit.key };
    },
    'ArtifactService/CreateArtifact': (b) => {
      const run = String(b.workflow_run_backend_id);
      const job = String(b.workflow_job_run_backend_id);
      const name = String(b.name);
      if (artifacts.some((a) => a.run === run && a.name === name && a.finalized)) {
        return { ok: false, signed_upload_url: '' };
      }
      const blob = `artifacts/${randomUUID()}/${encodeURIComponent(name)}.zip`;
      artifacts.push({
        run,
        job,
        name,
        blob,
        finalized: false,
        size: '0',
        digest: '',
        created: new Date(),
        id: nextId++
      });
      return { ok: true, signed_upload_url: sas(blob, 'rcw') };
    },
    'ArtifactService/FinalizeArtifact': (b) => {
      const a = artifacts.find(
        (x) =>
          x.run === String(b.workflow_run_backend_id) && x.name === String(b.name) && !x.finalized
      );
      if (!a) return { ok: false, artifact_id: '0' };
      a.finalized = true;
      a.size = String(b.size ?? '0');
      a.digest = typeof b.hash === 'string' ? b.hash : '';
      return { ok: true, artifact_id: String(a.id) };
    },
    'ArtifactService/ListArtifacts': (b) => {
      const run = String(b.workflow_run_backend_id);
      const nameFilter = (b.name_filter ?? b.nameFilter) as string | undefined;
      const idFilter = (b.id_filter ?? b.idFilter) as string | undefined;
      const list = artifacts.filter(
        (a) =>
          a.finalized &&
          a.run === run &&
          (nameFilter === undefined || a.name === nameFilter) &&
          (idFilter === undefined || String(a.id) === String(idFilter))
      );
      return {
        artifacts: list.map((a) => ({
          workflow_run_backend_id: a.run,
          workflow_job_run_backend_id: a.job,
          database_id: String(a.id),
          name: a.name,
          size: a.size,
          created_at: a.created.toISOString(),
          ...(a.digest ? { digest: a.digest } : {})
        }))
      };
    },
    'ArtifactService/GetSignedArtifactURL': (b) => {
      const a = artifacts.find(
        (x) =>
          x.finalized && x.run === String(b.workflow_run_backend_id) && x.name === String(b.name)
      );
      if (!a) throw new TwirpError(404, 'not_found', `artifact ${String(b.name)} not found`);
      return { signed_url: sas(a.blob, 'r') };
    },
    'ArtifactService/DeleteArtifact': (b) => {
      const i = artifacts.findIndex(
        (x) =>
          x.finalized && x.run === String(b.workflow_run_backend_id) && x.name === String(b.name)
      );
      if (i < 0) throw new TwirpError(404, 'not_found', `artifact ${String(b.name)} not found`);
      const [a] = artifacts.splice(i, 1);
      return { ok: true, artifact_id: String(a.id) };
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const method = req.url?.startsWith(PREFIX) ? req.url.slice(PREFIX.length) : '';
      const handler = handlers[method];
      if (req.method !== 'POST' || !handler)
        return reply(404, { code: 'bad_route', msg: `no handler for ${req.url}` });
      if (!/^Bearer .+/.test(req.headers.authorization ?? ''))
        return reply(401, { code: 'unauthenticated', msg: 'missing token' });
      calls.push(method);
      try {
        const body = chunks.length
          ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
          : {};
        reply(200, handler(body));
      } catch (e) {
        if (e instanceof TwirpError) reply(e.status, { code: e.code, msg: e.message });
        else reply(500, { code: 'internal', msg: (e as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  };
}

class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

function newest(list: CacheEntry[]): CacheEntry | undefined {
  return [...list].sort((a, b) => b.created - a.created || b.id - a.id)[0];
}

/** Keeps the type exported for callers that want to inspect blobs directly. */
export type { ContainerClient };
