import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Dialect } from '../sql/types.js';
import type { ExtractAnswer, ExtractRequest } from './worker.js';

/**
 * Extraction spread over worker threads. Each worker loads the TypeScript compiler once (about
 * 0.2 s of CPU) and keeps its own heap, so workers pay off only with spare cores and many files:
 * measured on 2 cores, two workers were slower than the main thread alone, since one Node
 * process already keeps about 1.5 cores busy with its parser, garbage collector and compiler.
 */

const BATCH = 64;

/** Below this many files to parse, starting workers costs more than it saves. */
export const MIN_FILES_FOR_WORKERS = 400;

/** Workers by default: none on machines with fewer than 4 cores, else one core left free. */
export function defaultJobs(): number {
  const cores = availableParallelism();
  return cores < 4 ? 1 : Math.min(cores - 1, 8);
}

export async function extractInWorkers(
  files: { absolute: string; text: string }[],
  dialect: Dialect,
  jobs: number,
): Promise<ExtractAnswer[]> {
  const answers: ExtractAnswer[] = new Array<ExtractAnswer>(files.length);
  let next = 0;
  const url = new URL('./worker.js', import.meta.url);

  const runWorker = async (): Promise<void> => {
    const worker = new Worker(url);
    try {
      while (next < files.length) {
        const start = next;
        next = Math.min(files.length, start + BATCH);
        const request: ExtractRequest = { dialect, files: files.slice(start, next) };
        const batch = await ask(worker, request);
        batch.forEach((answer, index) => (answers[start + index] = answer));
      }
    } finally {
      await worker.terminate();
    }
  };

  await Promise.all(Array.from({ length: Math.min(jobs, files.length) }, runWorker));
  return answers;
}

function ask(worker: Worker, request: ExtractRequest): Promise<ExtractAnswer[]> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    const onMessage = (answers: ExtractAnswer[]): void => {
      cleanup();
      resolve(answers);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage(request);
  });
}
