import type { ProgressEvent } from './run.js';

interface Bar {
  update: (event: ProgressEvent) => void;
  clear: () => void;
}

const WIDTH = 30;

/** A one-line bar on standard error, only on a terminal; nothing otherwise. */
export function progressBar(stream: NodeJS.WriteStream, wanted: boolean): Bar {
  if (!wanted || !stream.isTTY) return { update: () => undefined, clear: () => undefined };

  let shown = false;
  let last = 0;
  return {
    update: (event) => {
      const now = Date.now();
      if (now - last < 100 && event.done < event.total) return;
      last = now;
      shown = true;
      stream.write(`\r${progressLine(event)}\u001b[K`);
    },
    clear: () => {
      if (shown) stream.write('\r\u001b[K');
    },
  };
}

export function progressLine(event: ProgressEvent): string {
  const ratio = event.total > 0 ? event.done / event.total : 1;
  const filled = Math.round(ratio * WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
  const rows = event.rowsSource.toLocaleString('en-US');
  return `${event.table} [${bar}] ${event.done}/${event.total} · ${rows} rows · ${event.differing} differing`;
}
