import { asIpcError } from './api';
import type { IpcError } from './bindings';

/**
 * A component's one error helper: runs what the member asked for, keeps why it failed
 * for the component's ErrorPanel, and on success runs `after` (usually a reload).
 */
export class Attempts {
  problem = $state<IpcError | null>(null);
  #after: () => unknown;

  constructor(after: () => unknown = () => undefined) {
    this.#after = after;
  }

  /** Runs `work`; answers whether it succeeded. */
  run = async (work: () => Promise<unknown>): Promise<boolean> => {
    this.problem = null;
    try {
      await work();
      await this.#after();
      return true;
    } catch (error) {
      this.problem = asIpcError(error);
      return false;
    }
  };
}

/** What the window could not load by itself (a list, a board, a setting), for the banner. */
export const background = $state<{ problem: IpcError | null }>({ problem: null });

/**
 * For the `.catch` of a load nobody clicked for: the failure goes to the banner instead
 * of being swallowed, and `fallback` keeps the page going.
 */
export function reportedAs<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    background.problem = asIpcError(error);
    return fallback;
  };
}
