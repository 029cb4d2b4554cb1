import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ensurePeerVenv } from './peer-venv.ts';

/** The peer, ready to run: the venv's interpreter and the script, which stays where it is kept. */
export type Peer = { python: string; script: string };

export type PeerSetup = { peer: Peer } | { missing: string };

/**
 * Where the peer is kept: beside the repository (`../shared/peers/`), as in the project's CI
 * clone. A checkout elsewhere names it with --peer-script or PIPEFORGE_PEER_SCRIPT.
 */
export function peerScriptPath(option: string | undefined, env: NodeJS.ProcessEnv, projectRoot: string): string {
  const given = option ?? env['PIPEFORGE_PEER_SCRIPT'];
  return given ? resolve(given) : resolve(projectRoot, '..', 'shared', 'peers', 'dlt_orders.py');
}

/**
 * The peer, or why it will not run. Neither a missing script nor a venv that cannot be built
 * stops the bench: PipeForge's own numbers still mean something, and the peer's cells say why
 * they are empty.
 */
export async function preparePeer(
  options: { skipPeer?: boolean; peerScript?: string },
  projectRoot: string,
  say: (text: string) => void,
): Promise<PeerSetup> {
  if (options.skipPeer) return { missing: 'peer not run (--skip-peer)' };
  const script = peerScriptPath(options.peerScript, process.env, projectRoot);
  if (!existsSync(script)) {
    say(`dlt peer not found at ${script} (--peer-script or PIPEFORGE_PEER_SCRIPT names it): PipeForge's numbers only`);
    return { missing: 'peer not found' };
  }
  try {
    const python = await ensurePeerVenv((dir) => say(`creating the peer's Python venv in ${dir} (once; a minute or two)`));
    say(`dlt peer: ${script}`);
    return { peer: { python, script } };
  } catch (error) {
    say(`the peer's venv could not be built, PipeForge's numbers only: ${String((error as Error).message).split('\n')[0]}`);
    return { missing: 'peer not run (no venv)' };
  }
}
