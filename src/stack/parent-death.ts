import { execFileSync } from 'node:child_process';

let wrapper: string | null | undefined;

/**
 * On Linux, `setpriv --pdeathsig SIG -- cmd` has the kernel signal the server when this process
 * dies, which covers the one case no exit handler can: being killed with SIGKILL. It execs in
 * place, so the pid we hold is the server's. Older util-linux lacks the option, so it is probed.
 */
export function parentDeathWrapper(): string | null {
  if (wrapper !== undefined) return wrapper;
  wrapper = null;
  if (process.platform === 'linux') {
    try {
      const help = execFileSync('setpriv', ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      if (help.includes('--pdeathsig')) wrapper = 'setpriv';
    } catch {
      // Not installed.
    }
  }
  return wrapper;
}
