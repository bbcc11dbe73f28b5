import type { AppContext } from '../../../domain/context';
import type { Viewer } from '../../../domain/directory';
import type { SessionUser } from '../../types';

export function viewerOf(ctx: AppContext, user: SessionUser): Viewer {
  return { accountId: user.accountId, inactivityDays: ctx.config.inactivityDays };
}
