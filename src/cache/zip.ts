import yauzl from 'yauzl';

/** Opens a zip and calls `visit` for each entry with a function reading that entry's bytes. */
export function walkZip(
  file: string,
  visit: (name: string, read: () => Promise<Buffer>) => Promise<boolean | void>
): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error(`cannot open ${file}`));
      let done = false;
      const finish = (e?: unknown): void => {
        if (done) return;
        done = true;
        zip.close();
        if (e) reject(e instanceof Error ? e : new Error(String(e)));
        else resolve();
      };
      zip.on('error', finish);
      zip.on('end', () => finish());
      zip.on('entry', (entry: yauzl.Entry) => {
        const read = (): Promise<Buffer> =>
          new Promise((res, rej) => {
            zip.openReadStream(entry, (e2, stream) => {
              if (e2 || !stream) return rej(e2 ?? new Error(`cannot read ${entry.fileName}`));
              const chunks: Buffer[] = [];
              stream.on('data', (c: Buffer) => chunks.push(c));
              stream.on('error', rej);
              stream.on('end', () => res(Buffer.concat(chunks)));
            });
          });
        visit(entry.fileName, read).then(
          (stop) => (stop === true ? finish() : zip.readEntry()),
          (e) => finish(e)
        );
      });
      zip.readEntry();
    });
  });
}

/** The bytes of the first member whose name matches, or undefined. */
export async function readWheelMember(
  file: string,
  match: (name: string) => boolean
): Promise<Buffer | undefined> {
  let found: Buffer | undefined;
  await walkZip(file, async (name, read) => {
    if (!match(name)) return false;
    found = await read();
    return true;
  });
  return found;
}
