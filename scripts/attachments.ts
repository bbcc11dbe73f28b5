import { resolve } from 'node:path';
import { type RunningClamd, startClamd } from '../domain/attachments/examine';
import { checkTools, missingToolLines } from '../domain/attachments/tools-check';
import type { Config } from '../domain/config';

/**
 * `npm start` and attachments: says what the machine lacks (with the command that
 * installs it) and, when clamd is installed and no CLAMAV_URL is set, runs a private clamd
 * for this process (the Debian service is usually not running on a laptop or in a
 * container). Debian ships no signatures and freshclam needs the internet: without the
 * downloaded database the private clamd loads only the EICAR test signature, and says so.
 */
export async function prepareAttachments(
  config: Config,
  step: (text: string) => void,
): Promise<{ config: Config; clamd: RunningClamd | null }> {
  const report = checkTools();
  for (const line of missingToolLines(report, Boolean(config.attachments.clamavUrl))) {
    step(line);
  }
  if (config.attachments.clamavUrl || !report.clamd || config.env === 'production') {
    return { config, clamd: null };
  }
  const dir = resolve('var/clamav');
  try {
    const clamd = await startClamd({
      dir,
      ...(report.signatures ? { databaseDir: report.signatures, startTimeoutMs: 120_000 } : {}),
    });
    step(
      report.signatures
        ? `Started a private antivirus (clamd, signatures from ${report.signatures})`
        : `Started a private antivirus (clamd) with the EICAR test signature only: no real signatures are installed. Get them with freshclam or clamav-cvdupdate into /var/lib/clamav (see docs/attachments.md)`,
    );
    return {
      config: { ...config, attachments: { ...config.attachments, clamavUrl: clamd.url } },
      clamd,
    };
  } catch (err) {
    step(
      `The antivirus could not start (${(err as Error).message}); files are shown "non analysé"`,
    );
    return { config, clamd: null };
  }
}
