import { api } from './api';
import { reportedAs } from './attempts.svelte';
import type { IpcError, Sha256Hex } from './bindings';

const MAX_ATTEMPTS = 3;

/**
 * The page images of one document, shared by the pages and the thumbnails: one that did
 * not arrive is asked for again, or its page says why.
 */
export class PageImages {
  /** Pages whose image did not arrive, with why (as the reader told it). */
  failed = $state<Record<number, IpcError>>({});
  /** Attempts per image: a request dropped while the reader moved is asked again. */
  attempts = $state<Record<string, number>>({});
  #sha256: () => Sha256Hex;
  #near: (index: number) => boolean;

  /** `near`: whether a page is close enough to the screen to ask for its image again. */
  constructor(sha256: () => Sha256Hex, near: (index: number) => boolean) {
    this.#sha256 = sha256;
    this.#near = near;
  }

  /** Image `key` of page `index` did not arrive: said on its page when the reader knows why, else asked again. */
  retry = async (key: string, index: number) => {
    const known = await api.pageProblem(this.#sha256(), index).catch(reportedAs(null));
    if (known) {
      this.failed[index] = known;
      return;
    }
    const attempt = this.attempts[key] ?? 0;
    if (this.#near(index) && attempt < MAX_ATTEMPTS) this.attempts[key] = attempt + 1;
    else if (attempt >= MAX_ATTEMPTS) this.failed[index] = { code: 'internal', detail: '' };
  };
}
