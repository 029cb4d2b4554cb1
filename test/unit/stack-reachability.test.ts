import { describe, expect, it } from '@jest/globals';
import { clusterKey, managedClusterDir } from '../../src/stack/cluster-location.ts';
import { installationName } from '../../src/stack/postgres-install.ts';
import { canRead, canSearch, firstUnsearchable, pathChain } from '../../src/stack/reachability.ts';

const postgres = { uid: 101, gid: 104 };
const rootOwned = (mode: number) => ({ mode: 0o40000 | mode, uid: 0, gid: 0 });

describe('whether the server user can pass a directory', () => {
  it('uses the bits for others on root-owned directories', () => {
    expect(canSearch(rootOwned(0o755), postgres)).toBe(true);
    expect(canSearch(rootOwned(0o711), postgres)).toBe(true);
    expect(canSearch(rootOwned(0o700), postgres)).toBe(false);
    expect(canSearch(rootOwned(0o750), postgres)).toBe(false);
    // The sticky, world-writable /tmp.
    expect(canSearch(rootOwned(0o1777), postgres)).toBe(true);
  });

  it("uses the owner's bits alone when the user owns it, even where others may pass", () => {
    expect(canSearch({ mode: 0o700, uid: 101, gid: 0 }, postgres)).toBe(true);
    expect(canSearch({ mode: 0o077, uid: 101, gid: 0 }, postgres)).toBe(false);
  });

  it("uses the group's bits for the user's primary group", () => {
    expect(canSearch({ mode: 0o710, uid: 0, gid: 104 }, postgres)).toBe(true);
    expect(canSearch({ mode: 0o701, uid: 0, gid: 104 }, postgres)).toBe(false);
  });

  it('tells reading from searching', () => {
    expect(canRead(rootOwned(0o711), postgres)).toBe(false);
    expect(canRead(rootOwned(0o644), postgres)).toBe(true);
    expect(canSearch(rootOwned(0o644), postgres)).toBe(false);
  });
});

describe('the directories on the way to a path', () => {
  it('lists every directory from the root down', () => {
    expect(pathChain('/root/pipeforge/.pipeforge/data')).toEqual([
      '/',
      '/root',
      '/root/pipeforge',
      '/root/pipeforge/.pipeforge',
      '/root/pipeforge/.pipeforge/data',
    ]);
    expect(pathChain('/')).toEqual(['/']);
  });

  it('names the first directory that stops the user', () => {
    const chain = [
      { path: '/', ...rootOwned(0o755) },
      { path: '/root', ...rootOwned(0o700) },
      { path: '/root/pipeforge', ...rootOwned(0o700) },
    ];
    expect(firstUnsearchable(chain, postgres)).toBe('/root');
    expect(firstUnsearchable(chain.slice(0, 1), postgres)).toBeNull();
  });
});

describe('where relocated binaries and clusters go', () => {
  it('keys the binaries by package version and platform', () => {
    expect(installationName({ version: '18.4.0-beta.17' }, 'linux', 'x64')).toBe('18.4.0-beta.17-linux-x64');
    expect(installationName({ version: '1/2' }, 'linux', 'x64')).toBe('1_2-linux-x64');
  });

  it('gives each data directory one stable, readable cluster name', () => {
    const key = clusterKey('/root/pipeforge/.pipeforge/data');
    expect(key).toMatch(/^pipeforge-data-[0-9a-f]{16}$/);
    expect(clusterKey('/root/pipeforge/.pipeforge/data/')).toBe(key);
    expect(clusterKey('/root/pipeforge/.pipeforge/../.pipeforge/data')).toBe(key);
    expect(clusterKey('/root/other/.pipeforge/data')).not.toBe(key);
    expect(clusterKey('/')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('puts a managed cluster under the clusters root, one entry per data directory', () => {
    const dir = managedClusterDir('/root/pipeforge/.pipeforge/data', '/var/lib/pipeforge/postgres');
    expect(dir).toBe(`/var/lib/pipeforge/postgres/${clusterKey('/root/pipeforge/.pipeforge/data')}/cluster`);
  });
});
