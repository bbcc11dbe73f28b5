import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  directoryApi,
  entryKey,
  type StructureEntry,
  type StructureMember,
} from '../api/directory';
import type { RelaisSession } from '../session/session';

export type MembersState = StructureMember[] | 'loading' | 'error';

/** The professionals attached to structures (S12), fetched when a list is opened. */
export class StructureMembersController implements ReactiveController {
  #open = new Map<string, MembersState>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getSession: () => RelaisSession | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** The opened list of a structure, or undefined when closed. */
  get(entry: StructureEntry | { kind: string; id: number }): MembersState | undefined {
    return this.#open.get(entryKey(entry));
  }

  /** Opens (and loads) or closes a structure's list. */
  async toggle(entry: StructureEntry): Promise<void> {
    const key = entryKey(entry);
    if (this.#open.has(key)) {
      this.#open.delete(key);
      this.host.requestUpdate();
      return;
    }
    const session = this.getSession();
    if (!session) return;
    this.#open.set(key, 'loading');
    this.host.requestUpdate();
    try {
      const { members } = await directoryApi.members(session, entry.id);
      if (this.#open.has(key)) this.#open.set(key, members);
    } catch {
      if (this.#open.has(key)) this.#open.set(key, 'error');
    }
    this.host.requestUpdate();
  }
}
