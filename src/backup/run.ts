/**
 * `backup run`: one snapshot of the configured sources, written to every destination (replicas of one
 * repository). Order of writes per destination — the reason a crash at any point leaves a valid
 * repository: session key → packs → index → refs → snapshot. A snapshot file exists only once
 * everything it needs is stored; anything written before a crash is an unreferenced leftover that
 * `check` reports as harmless and `prune` removes.
 */
import { closeSync, lstatSync, openSync, readSync, readlinkSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { CiviguardError, describeError } from '../core/errors.js';
import { VERSION } from '../version.js';
import type { Backend } from './backends/backend.js';
import { StreamChunker } from './chunker.js';
import type { Cutter } from './chunker.js';
import { seal } from './crypto.js';
import type { Catalogue, SealedSnapshot, SnapshotFile, SourceDetail, SourceSummary } from './format.js';
import { SNAPSHOT_AAD, zjson } from './format.js';
import { FilesCache } from './files-cache.js';
import { collectNow, gcEvery } from './gc.js';
import type { Unlock } from './keyring.js';
import { RepoLock } from './lock.js';
import type { Destination } from './pipeline.js';
import { Pipeline } from './pipeline.js';
import type { MasterIndex } from './repository.js';
import { Repository, blobIdOf, encodeRefs } from './repository.js';
import type { Dsn } from './sources/dsn.js';
import { Excluder, walk } from './sources/files.js';
import { streamDump } from './sources/mariadb.js';
import { TreeWriter } from './tree.js';
import { WorkerPool } from './worker/pool.js';
import type { ZstdLevel } from './worker/codec.js';
import { sha256Hex } from './crypto.js';

export type SourceSpec =
  | { kind: 'files'; path: string; exclude?: string[]; defaultExcludes?: boolean }
  | { kind: 'mariadb'; dsn: Dsn };

export interface RunProgress {
  phase: 'scan' | 'backup' | 'finish';
  source: string;
  files: number;
  bytes: number;
  /** Expected bytes when known (files are counted ahead; dumps are not). */
  totalBytes: number | null;
  newBytes: number;
}

export interface RunOptions {
  dests: { backend: Backend; required: boolean }[];
  sources: SourceSpec[];
  unlock: Unlock;
  cacheDir: string | null;
  /** zstd level, or `auto` (the default: see worker/codec.ts). */
  level?: ZstdLevel;
  workers?: number;
  tags?: string[];
  signal?: AbortSignal;
  onProgress?: (p: RunProgress) => void;
  /** Walk the files once more up front to know the total (for an ETA). */
  estimate?: boolean;
  note?: (message: string) => void;
}

export interface DestinationStatus {
  repo: string;
  required: boolean;
  ok: boolean;
  error: string | null;
}

export interface RunResult {
  ok: boolean;
  snapshot: string | null;
  catalogue: Catalogue | null;
  destinations: DestinationStatus[];
  warnings: string[];
  excludedSettings: string[];
}

const READ_BLOCK = 1024 * 1024;

/** Reused per run: the small-file buffer and the chunker (no allocation per file). */
interface ReadBuffers {
  small: Buffer;
  chunker: StreamChunker;
  /** Waits for room in the pipeline (and collects garbage now and then). */
  room: () => Promise<void>;
}

/** Reads a regular file through the chunker; returns its chunk ids (in order) and the size read. */
async function backupFile(
  abs: string,
  size: number,
  cutter: Cutter,
  idKey: Buffer,
  pipe: Pipeline,
  bufs: ReadBuffers,
  progress: (n: number) => void,
): Promise<{ ids: string[]; size: number }> {
  const ids: string[] = [];
  const take = (c: Uint8Array) => {
    const id = blobIdOf(idKey, c);
    ids.push(id);
    pipe.add(id, 'd', c);
  };
  const fd = openSync(abs, 'r');
  try {
    if (size <= cutter.min) {
      // small file: one chunk. Reads ask for one byte more than the stat'ed size, so that a file
      // that grew since is seen without another read; it then takes the streaming path below.
      const buf = bufs.small;
      let off = 0;
      for (;;) {
        const n = readSync(fd, buf, off, size + 1 - off, off);
        if (n === 0) break;
        off += n;
        if (off > size) break;
      }
      if (off <= size) {
        if (off > 0) take(buf.subarray(0, off));
        progress(off);
        return { ids, size: off };
      }
    }
    let pos = 0;
    for (;;) {
      const n = bufs.chunker.fill(
        (dst, off, len) => readSync(fd, dst, off, Math.min(len, READ_BLOCK), pos),
        take,
      );
      if (n === 0) break;
      pos += n;
      progress(n);
      await bufs.room();
    }
    bufs.chunker.finish(take);
    return { ids, size: pos };
  } finally {
    closeSync(fd);
  }
}

function meta(st: BigIntStats, rel: string) {
  return {
    p: rel,
    m: Number(st.mode & 0o7777n),
    u: Number(st.uid),
    g: Number(st.gid),
    mt: String(st.mtimeNs),
  };
}

export async function runBackup(opts: RunOptions): Promise<RunResult> {
  const started = new Date();
  const t0 = performance.now();
  const note = opts.note ?? (() => undefined);
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    note(`warning: ${m}`);
  };
  if (!opts.dests.length) throw new CiviguardError('E_USAGE', 'backup run needs at least one --repo');
  if (!opts.sources.length)
    throw new CiviguardError('E_USAGE', 'backup run needs something to back up (--path, --db or --config)');

  for (const src of opts.sources) {
    if (src.kind !== 'files') continue;
    try {
      lstatSync(src.path);
    } catch (e) {
      throw new CiviguardError('E_USAGE', `--path ${src.path}: ${describeError(e)}`);
    }
  }
  // Open every destination; they must be replicas of one repository.
  const dests: (Destination & {
    repo: Repository | null;
    lock: RepoLock | null;
    index: MasterIndex | null;
  })[] = opts.dests.map((d) => ({ ...d, error: null, packs: [], repo: null, lock: null, index: null }));
  let primary: Repository | null = null;
  for (const d of dests) {
    try {
      if (!primary) {
        primary = await Repository.open(d.backend, opts.unlock);
        d.repo = primary;
      } else {
        const cfg = await Repository.readConfig(d.backend);
        if (cfg.id !== primary.id) {
          throw new CiviguardError(
            'E_USAGE',
            `${d.backend.location.display} is a different repository (id ${cfg.id.slice(0, 8)}, not ${primary.id.slice(0, 8)}): make a replica with \`backup copy\``,
          );
        }
        d.repo = primary.withBackend(d.backend);
      }
    } catch (e) {
      if (
        e instanceof CiviguardError &&
        (e.code === 'E_BACKUP_KEY' || e.code === 'E_BACKUP_VERSION' || e.code === 'E_USAGE')
      )
        throw e;
      d.error = describeError(e);
    }
  }
  const failEarly = () => {
    const bad = dests.filter((d) => d.error !== null && d.required);
    if (bad.length && dests.every((d) => d.error !== null)) {
      throw new CiviguardError(
        'E_BACKUP',
        `no destination could be used: ${bad.map((d) => `${d.backend.location.display}: ${d.error}`).join('; ')}`,
      );
    }
  };
  failEarly();
  const repo = primary!;
  const pool = new WorkerPool(opts.workers);
  /** Set while packs are being made: on failure, removes the ones in progress. */
  let abandon: (() => Promise<void>) | null = null;
  try {
    for (const d of dests) {
      if (d.error) continue;
      try {
        d.lock = await RepoLock.acquire(d.backend, { exclusive: false, command: 'backup run', note });
        d.index = await d.repo!.loadIndex();
      } catch (e) {
        if (e instanceof CiviguardError && e.code === 'E_BACKUP_LOCKED') d.error = e.message;
        else d.error = describeError(e);
      }
    }
    failEarly();
    const session = await repo.keyring.newSession();
    const keyName = `keys/${session.id}`;
    await Promise.all(
      dests.map(async (d) => {
        if (d.error) return;
        try {
          await d.backend.write(keyName, [session.file]);
        } catch (e) {
          d.error = describeError(e);
        }
      }),
    );
    failEarly();

    const live = () => dests.filter((d) => d.error === null);
    const known = (id: string) => live().every((d) => d.index!.has(id));
    let newPackBytes = 0;
    // packs are written straight into the first required local destination, when there is one
    const home = dests.find((d) => d.error === null && d.required && d.backend.stageDir && d.backend.adopt);
    const pipe = new Pipeline(
      pool,
      session.key,
      session.id,
      opts.level ?? 'auto',
      dests,
      known,
      (n) => (newPackBytes += n),
      home ?? null,
    );
    abandon = () => pipe.discard();
    const idKey = repo.keyring.idKey;
    const dataCutter = repo.cutter('data');
    const tree = new TreeWriter(repo.cutter('tree'), (data) => {
      const id = blobIdOf(idKey, data);
      pipe.add(id, 't', data);
      return id;
    });
    const cache = FilesCache.load(opts.cacheDir, repo.id);
    const bufs: ReadBuffers = {
      small: Buffer.allocUnsafeSlow(dataCutter.min + 1),
      chunker: new StreamChunker(dataCutter),
      room: () => room(),
    };
    const refs = new Set<string>();
    const details: SourceDetail[] = [];
    const summaries: SourceSummary[] = [];
    const excludedSettings: string[] = [];
    const roots: string[] = [];
    let doneBytes = 0;
    let doneFiles = 0;
    const collect = gcEvery(4 * 1024 * 1024);
    /** Bytes actually read (not those of unchanged files skipped via the files cache). */
    let readBytes = 0;
    let collected = 0;
    const room = async () => {
      // an interrupt is noticed between read blocks and files, not only between sources
      if (opts.signal?.aborted) throw new CiviguardError('E_ABORTED', 'interrupted');
      collect(readBytes - collected);
      collected = readBytes;
      await pipe.room();
    };
    const emit = (phase: RunProgress['phase'], source: string, totalBytes: number | null) =>
      opts.onProgress?.({
        phase,
        source,
        files: doneFiles,
        bytes: doneBytes,
        totalBytes,
        newBytes: pipe.stats.newBytes,
      });

    for (const [i, src] of opts.sources.entries()) {
      if (opts.signal?.aborted) throw new CiviguardError('E_ABORTED', 'interrupted');
      tree.add({ t: 'src', i });
      if (src.kind === 'files') {
        const root = resolve(src.path);
        roots.push(root);
        const excluder = new Excluder(src.exclude ?? [], src.defaultExcludes ?? true);
        let files = 0;
        let bytes = 0;
        // first pass for the ETA of a progress bar: sizes only (stat, no reading)
        let expected = 0;
        if (opts.estimate)
          for (const e of walk(root, excluder, () => undefined, []))
            if (e.st.isFile()) expected += Number(e.st.size);
        const base = doneBytes;
        emit('backup', root, opts.estimate ? base + expected : null);
        let lastEmit = 0;
        for (const e of walk(root, excluder, warn, excludedSettings)) {
          const st = e.st;
          if (st.isDirectory()) {
            tree.add({ t: 'd', ...meta(st, e.rel) });
          } else if (st.isSymbolicLink()) {
            let ln: string;
            try {
              ln = readlinkSync(e.abs);
            } catch (err) {
              warn(`cannot read link ${e.abs}: ${describeError(err)}`);
              continue;
            }
            tree.add({ t: 'l', ...meta(st, e.rel), ln });
          } else {
            let ids = cache.lookup(e.abs, st.size, st.mtimeNs, st.ctimeNs, st.ino);
            let size = Number(st.size);
            if (ids && !ids.every((id) => pipe.has(id))) ids = null;
            if (ids) {
              doneBytes += size;
            } else {
              try {
                const r = await backupFile(e.abs, size, dataCutter, idKey, pipe, bufs, (n) => {
                  doneBytes += n;
                  readBytes += n;
                });
                ids = r.ids;
                size = r.size;
              } catch (err) {
                // an interrupt or a failed write path ends the run; a file that cannot be read is skipped
                if (err instanceof CiviguardError || pipe.broken) throw err;
                bufs.chunker.reset();
                warn(`cannot read ${e.abs}: ${describeError(err)}`);
                continue;
              }
            }
            cache.record(e.abs, st.size, st.mtimeNs, st.ctimeNs, st.ino, ids);
            for (const id of ids) refs.add(id);
            tree.add({ t: 'f', ...meta(st, e.rel), sz: size, c: ids });
            files++;
            doneFiles++;
            bytes += size;
            if (performance.now() - lastEmit > 200) {
              lastEmit = performance.now();
              emit('backup', root, opts.estimate ? base + expected : null);
            }
            await room();
          }
        }
        details.push({ kind: 'files', label: root });
        summaries.push({ kind: 'files', files, bytes });
      } else {
        const dsn = src.dsn;
        const chunker = bufs.chunker;
        const ids: string[] = [];
        const take = (c: Uint8Array) => {
          const id = blobIdOf(idKey, c);
          ids.push(id);
          pipe.add(id, 'd', c);
        };
        let lastEmit = 0;
        const scan = await streamDump(
          dsn,
          async (b) => {
            chunker.push(b, take);
            doneBytes += b.length;
            readBytes += b.length;
            if (performance.now() - lastEmit > 200) {
              lastEmit = performance.now();
              emit('backup', dsn.database, null);
            }
            await room();
          },
          opts.signal,
        );
        chunker.finish(take);
        for (const id of ids) refs.add(id);
        tree.add({ t: 'sql', i, p: `${dsn.database}.sql`, sz: scan.bytes, c: ids });
        details.push({
          kind: 'mariadb',
          label: dsn.database,
          db: {
            host: dsn.host,
            port: dsn.port,
            name: dsn.database,
            ...(dsn.socket ? { socket: dsn.socket } : {}),
          },
          rows: scan.rows,
          triggers: scan.triggers,
          routines: scan.routines,
          dumpBytes: scan.bytes,
        });
        summaries.push({
          kind: 'mariadb',
          files: 1,
          bytes: scan.bytes,
          dumpExit: scan.exitCode,
          endMarker: scan.endMarker,
        });
        doneFiles++;
      }
    }
    emit('finish', '', null);
    const treeIds = tree.finish();
    for (const id of treeIds) refs.add(id);
    await pipe.finish();
    abandon = null;
    // the write path's memory (workers, recycled buffers) goes before the index, refs and files
    // cache are serialised: their peak then does not stack on top of it
    await pool.close();
    pipe.release();
    collectNow();

    // Index, refs and snapshot, per destination, in that order.
    const sealedSnap: SealedSnapshot = { v: 1, sources: details, tree: treeIds };
    const catalogue: Catalogue = {
      time: started.toISOString(),
      host: hostname(),
      tool: VERSION,
      durationMs: Math.round(performance.now() - t0),
      encryption: repo.config.mode,
      key: session.id,
      sources: summaries,
      totals: {
        files: summaries.reduce((n, s) => n + s.files, 0),
        bytes: summaries.reduce((n, s) => n + s.bytes, 0),
        blobs: refs.size,
        newBlobs: pipe.stats.newBlobs,
        newBytes: newPackBytes,
      },
      tags: opts.tags ?? [],
    };
    const refsFile = encodeRefs(refs);
    const snapFile: SnapshotFile = {
      v: 1,
      catalogue,
      refs: refsFile.name.slice('refs/'.length),
      sealed: seal(session.key, zjson(sealedSnap), SNAPSHOT_AAD).toString('base64'),
    };
    const snapData = Buffer.from(JSON.stringify(snapFile) + '\n');
    const snapId = sha256Hex(snapData);
    await Promise.all(
      live().map(async (d) => {
        try {
          if (d.packs.length) {
            const idx = Repository.encodeIndex({ v: 1, packs: d.packs });
            await d.backend.write(idx.name, [idx.data]);
          }
          await d.backend.write(refsFile.name, [refsFile.data]);
          await d.backend.write(`snapshots/${snapId}`, [snapData]);
        } catch (e) {
          d.error = describeError(e);
        }
      }),
    );
    const okAny = dests.some((d) => d.error === null);
    if (okAny) {
      try {
        cache.save(roots);
      } catch (e) {
        warn(`cannot save the files cache: ${describeError(e)}`);
      }
    }
    const destinations = dests.map((d) => ({
      repo: d.backend.location.display,
      required: d.required,
      ok: d.error === null,
      error: d.error,
    }));
    return {
      ok: destinations.every((d) => d.ok || !d.required),
      snapshot: okAny ? snapId : null,
      catalogue: okAny ? catalogue : null,
      destinations,
      warnings,
      excludedSettings,
    };
  } finally {
    if (abandon) await abandon().catch(() => undefined);
    await pool.close();
    for (const d of dests) await d.lock?.release();
  }
}
