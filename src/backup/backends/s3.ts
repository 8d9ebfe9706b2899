/**
 * A repository in an S3-compatible bucket.
 *
 *   s3://bucket/prefix?endpoint=https://s3.example.net[&region=eu-central-1]
 *
 * Credentials from $AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY (never the SDK's default chain, which
 * would query instance metadata over the network). Path-style addressing; request/response checksums
 * only when required, as non-AWS servers expect. A PUT is atomic: readers see the old object or the
 * new one, so no temp names are needed.
 */
import type * as S3 from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { CiviguardError } from '../../core/errors.js';
import { redactString } from '../../core/redact.js';
import type { Backend, BackendLocation, FileInfo, RepoDir } from './backend.js';
import { BackendError, ioError } from './backend.js';

type S3Module = typeof S3;

interface S3Url {
  bucket: string;
  prefix: string;
  endpoint: string;
  region: string;
  display: string;
}

export function parseS3Url(raw: string): S3Url {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new CiviguardError('E_USAGE', `repository '${redactString(raw)}' is not an s3:// URL`);
  }
  const bucket = u.hostname;
  if (!bucket)
    throw new CiviguardError('E_USAGE', `repository '${raw}': no bucket (s3://bucket/prefix?endpoint=URL)`);
  const endpoint = u.searchParams.get('endpoint');
  if (!endpoint)
    throw new CiviguardError('E_USAGE', `repository '${raw}': give the server with ?endpoint=https://…`);
  let ep: URL;
  try {
    ep = new URL(endpoint);
  } catch {
    throw new CiviguardError('E_USAGE', `repository '${raw}': endpoint '${endpoint}' is not a URL`);
  }
  if (ep.protocol !== 'https:' && ep.protocol !== 'http:')
    throw new CiviguardError('E_USAGE', `endpoint '${endpoint}' must be http(s)`);
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+|\/+$/g, '');
  return {
    bucket,
    prefix,
    endpoint: ep.toString().replace(/\/$/, ''),
    region: u.searchParams.get('region') ?? process.env.AWS_REGION ?? 'us-east-1',
    display: `s3://${bucket}/${prefix} at ${ep.host}`,
  };
}

export class S3Backend implements Backend {
  readonly location: BackendLocation;

  constructor(
    private readonly s3: S3Module,
    private readonly client: S3Client,
    private readonly url: S3Url,
  ) {
    const ep = new URL(url.endpoint);
    this.location = {
      kind: 's3',
      host: ep.hostname.replace(/^\[|\]$/g, ''),
      port: ep.port ? Number(ep.port) : ep.protocol === 'https:' ? 443 : 80,
      path: `${url.bucket}/${url.prefix}`,
      display: url.display,
    };
  }

  private key(name: string): string {
    if (name.includes('..')) throw new Error(`bad repository file name ${name}`);
    return this.url.prefix ? `${this.url.prefix}/${name}` : name;
  }

  async read(name: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
    try {
      const r = await this.client.send(
        new this.s3.GetObjectCommand({ Bucket: this.url.bucket, Key: this.key(name) }),
      );
      if ((r.ContentLength ?? 0) > maxBytes)
        throw new BackendError(`${this.location.display}: ${name} is larger than ${maxBytes} bytes`);
      const bytes = await r.Body!.transformToByteArray();
      const out = Buffer.allocUnsafeSlow(bytes.length);
      out.set(bytes);
      return out;
    } catch (e) {
      if (e instanceof BackendError) throw e;
      throw ioError(this.location, 'read', name, normalise(e));
    }
  }

  async readRange(name: string, offset: number, length: number): Promise<Buffer> {
    try {
      const r = await this.client.send(
        new this.s3.GetObjectCommand({
          Bucket: this.url.bucket,
          Key: this.key(name),
          Range: `bytes=${offset}-${offset + length - 1}`,
        }),
      );
      const bytes = await r.Body!.transformToByteArray();
      if (bytes.length !== length)
        throw new BackendError(`${this.location.display}: ${name} is shorter than expected`);
      const out = Buffer.allocUnsafeSlow(length);
      out.set(bytes);
      return out;
    } catch (e) {
      if (e instanceof BackendError) throw e;
      throw ioError(this.location, 'read', name, normalise(e));
    }
  }

  async write(name: string, parts: readonly Uint8Array[]): Promise<void> {
    try {
      const body = Buffer.concat(parts);
      await this.client.send(
        new this.s3.PutObjectCommand({
          Bucket: this.url.bucket,
          Key: this.key(name),
          Body: body,
          ContentLength: body.length,
        }),
      );
    } catch (e) {
      throw ioError(this.location, 'write', name, normalise(e));
    }
  }

  async exists(name: string): Promise<boolean> {
    try {
      await this.client.send(new this.s3.HeadObjectCommand({ Bucket: this.url.bucket, Key: this.key(name) }));
      return true;
    } catch (e) {
      const n = normalise(e);
      if ((n as { code?: string }).code === 'NotFound') return false;
      throw ioError(this.location, 'stat', name, n);
    }
  }

  async list(dir: RepoDir): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    const prefix = this.key(`${dir}/`);
    let token: string | undefined;
    try {
      do {
        const r = await this.client.send(
          new this.s3.ListObjectsV2Command({
            Bucket: this.url.bucket,
            Prefix: prefix,
            ContinuationToken: token,
            MaxKeys: 1000,
          }),
        );
        for (const o of r.Contents ?? []) {
          if (!o.Key) continue;
          const name = this.url.prefix ? o.Key.slice(this.url.prefix.length + 1) : o.Key;
          const depth = name.split('/').length;
          if (depth === (dir === 'data' ? 3 : 2)) out.push({ name, size: o.Size ?? 0 });
        }
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw ioError(this.location, 'list', dir, normalise(e));
    }
    return out;
  }

  async listTemp(): Promise<FileInfo[]> {
    return [];
  }

  async remove(name: string): Promise<void> {
    try {
      await this.client.send(
        new this.s3.DeleteObjectCommand({ Bucket: this.url.bucket, Key: this.key(name) }),
      );
    } catch (e) {
      const n = normalise(e);
      if ((n as { code?: string }).code !== 'NotFound' && (n as { code?: string }).code !== 'NoSuchKey')
        throw ioError(this.location, 'remove', name, n);
    }
  }

  async mkdirs(): Promise<void> {
    try {
      await this.client.send(new this.s3.HeadBucketCommand({ Bucket: this.url.bucket }));
    } catch (e) {
      throw ioError(this.location, 'open bucket', this.url.bucket, normalise(e));
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }
}

/** SDK errors carry their kind in `name` (NoSuchKey, NotFound, …): expose it as `code`. */
function normalise(e: unknown): Error {
  const err = e instanceof Error ? e : new Error(String(e));
  const meta = (e as { $metadata?: { httpStatusCode?: number } }).$metadata;
  let code = err.name;
  if (meta?.httpStatusCode === 404 && code !== 'NoSuchKey') code = 'NotFound';
  if (!err.message || err.message === 'UnknownError')
    err.message = `${code}${meta?.httpStatusCode ? ` (HTTP ${meta.httpStatusCode})` : ''}`;
  Object.defineProperty(err, 'code', { value: code, configurable: true });
  return err;
}

export async function openS3Backend(raw: string): Promise<S3Backend> {
  const url = parseS3Url(raw);
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new CiviguardError('E_USAGE', `${url.display}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
  }
  const s3 = await import('@aws-sdk/client-s3');
  const client = new s3.S3Client({
    endpoint: url.endpoint,
    region: url.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId,
      secretAccessKey,
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 2,
  });
  return new S3Backend(s3, client, url);
}
