/**
 * A snapshot's tree: one JSON object per line, in walk order, cut into tree blobs by the content-defined
 * chunker (so the unchanged parts of a tree deduplicate between runs like file data does).
 * The tree is sealed like file data: names, modes, times and chunk lists need the key to read.
 */
import { StreamChunker } from './chunker.js';
import type { Cutter } from './chunker.js';
import { fail } from './format.js';

interface Meta {
  /** Path relative to the source root, `/`-separated; '' is the root itself. */
  p: string;
  m: number;
  u: number;
  g: number;
  /** mtime in nanoseconds since the epoch, as a decimal string. (atime is not kept: reading a file
   * changes it, and it would make every tree differ from the last; restore sets atime = mtime.) */
  mt: string;
}

export type TreeNode =
  | { t: 'src'; i: number }
  | (Meta & { t: 'd' })
  | (Meta & { t: 'f'; sz: number; c: string[] })
  | (Meta & { t: 'l'; ln: string })
  | { t: 'sql'; i: number; p: string; sz: number; c: string[] };

export type FileNode = Extract<TreeNode, { t: 'f' }>;

/** Serialises nodes into tree blobs; `emit` stores one blob (a view: copy it) and returns its id. */
export class TreeWriter {
  private readonly chunker: StreamChunker;
  private readonly emit: (data: Buffer) => string;
  private readonly ids: string[] = [];
  private readonly onChunk = (c: Buffer) => {
    this.ids.push(this.emit(c));
  };
  private lines: string[] = [];
  private lineBytes = 0;

  constructor(cutter: Cutter, emit: (data: Buffer) => string) {
    this.chunker = new StreamChunker(cutter);
    this.emit = emit;
  }

  add(node: TreeNode): void {
    const line = JSON.stringify(node);
    this.lines.push(line);
    this.lineBytes += line.length;
    if (this.lineBytes > 256 * 1024) this.flushLines();
  }

  private flushLines(): void {
    if (!this.lines.length) return;
    this.chunker.push(Buffer.from(this.lines.join('\n') + '\n'), this.onChunk);
    this.lines = [];
    this.lineBytes = 0;
  }

  finish(): string[] {
    this.flushLines();
    this.chunker.finish(this.onChunk);
    return this.ids;
  }
}

/** Parses the concatenated tree blobs back into nodes, one blob at a time. */
export class TreeReader {
  private rest = '';

  push(blob: Buffer, out: TreeNode[]): void {
    const text = this.rest + blob.toString('utf8');
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const l of lines) if (l) out.push(parseNode(l));
  }

  finish(out: TreeNode[]): void {
    if (this.rest) out.push(parseNode(this.rest));
    this.rest = '';
  }
}

function parseNode(line: string): TreeNode {
  let n: unknown;
  try {
    n = JSON.parse(line);
  } catch {
    fail('tree: a line is not JSON');
  }
  const o = n as { t?: unknown; p?: unknown; c?: unknown };
  if (!o || typeof o !== 'object' || typeof o.t !== 'string') fail('tree: bad node');
  if (o.t !== 'src' && (typeof o.p !== 'string' || o.p.split('/').includes('..') || o.p.startsWith('/')))
    fail(`tree: unsafe path ${JSON.stringify(o.p)}`);
  if ((o.t === 'f' || o.t === 'sql') && !Array.isArray(o.c)) fail('tree: file without chunk list');
  return n as TreeNode;
}
