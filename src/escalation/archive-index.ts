import { access, appendFile, readFile, rename, writeFile } from 'node:fs/promises';

/** Where the index gets what it needs from the archive it indexes. */
export interface ArchiveSource {
  /** Every archived case's id and month, read from the archive files (the slow way). */
  scan(): Promise<Map<string, string>>;
  /** The months (YYYY-MM) whose archive file holds anything. */
  months(): Promise<string[]>;
}

const LINE = /^\["([^"\\]|\\.)+","\d{4}-\d{2}"\]$/;

/**
 * Case id to archive month (`cases/archive-index.jsonl`, one `["SC-2026-0042","2026-07"]` a
 * line), so an archived case is read from one monthly file instead of all of them.
 *
 * A line is appended before its case is appended to the archive, so the index never lacks a
 * case the archive holds; a line whose case is not in that month (a crash between the two,
 * or a purge) only costs a wasted read. The index is rebuilt from the archive when it is
 * missing, unreadable, ends in a torn line, or has no entry for a month that has an archive
 * file (an archive restored without it). A reader (`writable: false`, the CLI while the bot
 * runs) rebuilds in memory only, so it never races the bot's appends.
 */
export class ArchiveIndex {
  private loading: Promise<Map<string, string>> | undefined;

  constructor(
    private readonly file: string,
    private readonly source: ArchiveSource,
    private readonly writable: boolean,
  ) {}

  /** Builds the index now if its file is missing (the first start after an upgrade). */
  async ensure(): Promise<void> {
    if (!this.writable) return;
    const exists = await access(this.file).then(
      () => true,
      () => false,
    );
    if (!exists) await this.load();
  }

  /** The month a case was archived in, if it was. */
  async month(id: string): Promise<string | undefined> {
    return (await this.load()).get(id);
  }

  /** Records a case about to be archived in `month`. Only for a writable index. */
  async add(id: string, month: string): Promise<void> {
    const map = await this.load();
    if (map.get(id) === month) return;
    await appendFile(this.file, `${JSON.stringify([id, month])}\n`, 'utf8');
    map.set(id, month);
  }

  /** Replaces the whole index (after a purge has rewritten the archive). */
  async replace(entries: Map<string, string>): Promise<void> {
    if (this.writable) await this.write(entries);
    this.loading = Promise.resolve(entries);
  }

  private load(): Promise<Map<string, string>> {
    this.loading ??= this.read().catch((err) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  private async read(): Promise<Map<string, string>> {
    const parsed = this.parse(await readFile(this.file, 'utf8').catch(missing));
    if (parsed) {
      const indexed = new Set(parsed.values());
      if ((await this.source.months()).every((m) => indexed.has(m))) return parsed;
    }
    const built = await this.source.scan();
    if (this.writable) await this.write(built);
    return built;
  }

  /** The entries, or undefined when the file is missing or cannot be trusted. */
  private parse(text: string | undefined): Map<string, string> | undefined {
    if (text === undefined) return undefined;
    const lines = text.split('\n');
    // A torn last line: the bot rebuilds; a reader may be looking mid-append, and skips it.
    const last = lines.pop();
    if (last && this.writable) return undefined;
    const map = new Map<string, string>();
    for (const line of lines) {
      if (!LINE.test(line)) return undefined;
      const [id, month] = JSON.parse(line) as [string, string];
      map.set(id, month);
    }
    return map;
  }

  private async write(entries: Map<string, string>): Promise<void> {
    const text = [...entries].map((e) => `${JSON.stringify(e)}\n`).join('');
    // A new file renamed over the old one, so a crash leaves one or the other.
    await writeFile(`${this.file}.tmp`, text, 'utf8');
    await rename(`${this.file}.tmp`, this.file);
  }
}

function missing(err: NodeJS.ErrnoException): undefined {
  if (err.code === 'ENOENT') return undefined;
  throw err;
}
