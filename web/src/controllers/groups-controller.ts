import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { type DirectoryEntry, directoryApi, type GroupSummary } from '../api/directory';
import type { RelaisSession } from '../session/session';

/**
 * The user's favourite groups (S9): loaded when the host connects, kept current after
 * each change made through it.
 */
export class GroupsController implements ReactiveController {
  items: GroupSummary[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getSession: () => RelaisSession | null,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.load();
  }

  async load(): Promise<void> {
    const session = this.getSession();
    if (!session) return;
    try {
      this.items = (await directoryApi.groups(session)).items;
    } catch {
      this.items = [];
    }
    this.host.requestUpdate();
  }

  /** The group's members as recipients (entries with statuses and member counts). */
  async recipients(group: GroupSummary): Promise<DirectoryEntry[]> {
    const session = this.getSession();
    if (!session) return [];
    return (await directoryApi.groupRecipients(session, group.id)).items;
  }

  async create(name: string, members: DirectoryEntry[]): Promise<void> {
    const session = this.getSession();
    if (!session) return;
    await directoryApi.createGroup(session, name, members);
    await this.load();
  }

  async rename(group: GroupSummary, name: string): Promise<void> {
    const session = this.getSession();
    if (!session) return;
    await directoryApi.renameGroup(session, group.id, name);
    await this.load();
  }

  async remove(group: GroupSummary): Promise<void> {
    const session = this.getSession();
    if (!session) return;
    await directoryApi.deleteGroup(session, group.id);
    await this.load();
  }
}
