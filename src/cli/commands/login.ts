import { spawn } from 'node:child_process';
import { LoginError, login, logout, REVOKE_ACCESS_URL } from '../../google/login';
import { say } from '../output';

export interface LoginOptions {
  clientSecret: string;
  /** false with --no-browser. */
  browser: boolean;
}

/**
 * Signs in with a Google account in the browser (the OAuth desktop flow) and stores the token
 * in the user's config directory. Exit status 3 for a bad client file, 4 when the flow fails.
 */
export async function loginCommand(opts: LoginOptions): Promise<number> {
  try {
    const result = await login({
      clientSecretFile: opts.clientSecret,
      log: say,
      ...(opts.browser ? { open: openBrowser } : {}),
    });
    say(`Signed in. The token is stored in ${result.file} (readable only by you).`);
    if (result.missingScopes.length) {
      say('Not granted, so the commands that need them will fail until you log in again and allow them:');
      for (const scope of result.missingScopes) say(`  ${scope}`);
    }
    say('Remove it with `milepost logout`.');
    return 0;
  } catch (error) {
    if (!(error instanceof LoginError)) throw error;
    say(`milepost: ${error.message}`);
    return error.exitCode;
  }
}

export async function logoutCommand(): Promise<number> {
  try {
    const { file, removed } = await logout();
    say(removed ? `Logged out: removed ${file}.` : `Not logged in: there is no ${file}.`);
    if (removed)
      say(`To also withdraw Milepost's access from your Google account, visit ${REVOKE_ACCESS_URL}`);
    return 0;
  } catch (error) {
    if (!(error instanceof LoginError)) throw error;
    say(`milepost: ${error.message}`);
    return error.exitCode;
  }
}

/** Best effort: the URL is printed anyway, so a missing or failing opener changes nothing. */
function openBrowser(url: string): void {
  const windows = process.platform === 'win32';
  const [command, args]: [string, string[]] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : windows
        ? // `start` is built into cmd, which reads & as a command separator: escaped, and the
          // arguments passed as they are (the URL has no spaces; "" is start's window title).
          ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, {
      stdio: 'ignore',
      detached: !windows,
      windowsHide: true,
      windowsVerbatimArguments: windows,
    });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No opener: the user opens the printed URL.
  }
}
