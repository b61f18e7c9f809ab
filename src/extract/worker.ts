import { parentPort } from 'node:worker_threads';
import type { Dialect } from '../sql/types.js';
import type { FileFacts } from './facts.js';
import { extractFile } from './typescript.js';

/**
 * A worker thread of the extraction pool (pool.ts): takes batches of files, answers with their
 * facts in the same order. A file that nests too deeply for the walk is answered with
 * `tooDeep`, as the main thread would report it.
 */

export interface ExtractRequest {
  dialect: Dialect;
  files: { absolute: string; text: string }[];
}

export type ExtractAnswer = { facts: FileFacts } | { tooDeep: string };

parentPort?.on('message', (request: ExtractRequest) => {
  const answers: ExtractAnswer[] = request.files.map((file) => {
    try {
      return { facts: extractFile(file.absolute, file.text, request.dialect) };
    } catch (error) {
      if (error instanceof RangeError) return { tooDeep: error.message };
      throw error;
    }
  });
  parentPort!.postMessage(answers);
});
