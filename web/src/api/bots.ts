import type { BotTokenView, BotView } from '../../../domain/bots/index';
import type { BotScope } from '../../../domain/bots/scopes';
import type { RelaisSession } from '../session/session';

/**
 * Bots and their API tokens (issue 12, docs/bots.md, "Managing bots"), for the management
 * screen <relais-bots>. The shapes are the domain's own (type-only imports: nothing of the
 * server is bundled).
 */
export type Bot = BotView;
export type BotToken = BotTokenView;
export type { BotScope };
/** A token as created: the secret is in this answer only. */
export type CreatedBotToken = BotToken & { token: string };

export interface NewBotInput {
  name: string;
  description: string;
  structureId: number | null;
}

export type BotChanges = Partial<Pick<Bot, 'name' | 'description' | 'disabled'>>;

export const botsApi = {
  async list(session: RelaisSession, signal?: AbortSignal): Promise<Bot[]> {
    return (await session.get<{ bots: Bot[] }>('/api/bots', signal)).bots;
  },
  create(session: RelaisSession, input: NewBotInput) {
    return session.request<Bot>('POST', '/api/bots', input);
  },
  update(session: RelaisSession, botId: number, changes: BotChanges) {
    return session.request<Bot>('PATCH', `/api/bots/${botId}`, changes);
  },
  remove(session: RelaisSession, botId: number) {
    return session.request<void>('DELETE', `/api/bots/${botId}`);
  },
  async tokens(session: RelaisSession, botId: number, signal?: AbortSignal): Promise<BotToken[]> {
    return (await session.get<{ tokens: BotToken[] }>(`/api/bots/${botId}/tokens`, signal)).tokens;
  },
  createToken(session: RelaisSession, botId: number, input: { scopes: BotScope[]; label: string }) {
    return session.request<CreatedBotToken>('POST', `/api/bots/${botId}/tokens`, input);
  },
  revokeToken(session: RelaisSession, botId: number, tokenId: number) {
    return session.request<void>('DELETE', `/api/bots/${botId}/tokens/${tokenId}`);
  },
};
