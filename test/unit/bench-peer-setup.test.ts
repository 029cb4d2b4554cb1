import { describe, expect, it } from '@jest/globals';
import { buffer } from 'node:stream/consumers';
import { addDays, firstFileSpec, FIRST_FILES_END, secondFileSpec, SECOND_FILE_END } from '../../src/bench/bench-files.ts';
import { parseBenchArgs, reproduceCommand } from '../../src/bench/bench-options.ts';
import { peerScriptPath } from '../../src/bench/peer-setup.ts';
import { PEER_REQUIREMENTS, peerVenvDir } from '../../src/bench/peer-venv.ts';
import { generateOrderLines } from '../../src/sample/generate-order-lines.ts';

type Line = { ref: string; day: string; email: string; region: string; sku: string; name: string; price: string };

/** The fields the comparison needs; the generator quotes only names and categories, never a ref, date or email. */
async function linesOf(spec: Parameters<typeof generateOrderLines>[0]): Promise<Line[]> {
  const text = (await buffer(generateOrderLines(spec))).toString('utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [ref = '', date = '', email = '', region = '', sku = ''] = line.split(',');
      const name = /^(?:[^,]*,){5}("(?:[^"]|"")*"|[^,]*)/.exec(line)?.[1] ?? '';
      const price = line.split(',').at(-2) ?? '';
      return { ref, day: date.slice(0, 10), email, region, sku, name, price };
    });
}

describe('the second file of the bench', () => {
  it('follows the first files by 90 days', () => {
    expect(FIRST_FILES_END).toBe('2026-11-01');
    expect(SECOND_FILE_END).toBe('2027-01-30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
  });

  it('holds new orders on the next 90 days, from the same customers and of the same products', async () => {
    const rows = 4_000;
    const first = await linesOf(firstFileSpec(rows));
    const second = await linesOf(secondFileSpec(rows));
    expect(second).toHaveLength(rows);
    const firstRefs = new Set(first.map((line) => line.ref));
    expect(second.some((line) => firstRefs.has(line.ref))).toBe(false);
    const days = second.map((line) => line.day).sort();
    expect(days[0]! >= FIRST_FILES_END).toBe(true);
    expect(days.at(-1)! < SECOND_FILE_END).toBe(true);
    expect(first.every((line) => line.day < FIRST_FILES_END)).toBe(true);
    // Same customers with the same regions, same products with the same names and prices.
    const customers = (lines: Line[]) => new Set(lines.map((line) => `${line.email}|${line.region}`));
    const products = (lines: Line[]) => new Set(lines.map((line) => `${line.sku}|${line.name}|${line.price}`));
    const firstCustomers = customers(first);
    const firstProducts = products(first);
    expect([...customers(second)].every((customer) => firstCustomers.has(customer))).toBe(true);
    expect([...products(second)].every((product) => firstProducts.has(product))).toBe(true);
    expect(customers(second).size).toBeGreaterThan(firstCustomers.size * 0.9);
  });
});

describe('where the bench finds the dlt peer', () => {
  it('looks beside the repository unless told otherwise', () => {
    expect(peerScriptPath(undefined, {}, '/ci/clone/repo')).toBe('/ci/clone/shared/peers/dlt_orders.py');
    expect(peerScriptPath(undefined, { PIPEFORGE_PEER_SCRIPT: '/opt/peer.py' }, '/ci/clone/repo')).toBe('/opt/peer.py');
    expect(peerScriptPath('/x/dlt.py', { PIPEFORGE_PEER_SCRIPT: '/opt/peer.py' }, '/ci/clone/repo')).toBe('/x/dlt.py');
  });

  it('keeps one venv per set of pinned versions', () => {
    expect(PEER_REQUIREMENTS.every((requirement) => /==\d/.test(requirement))).toBe(true);
    expect(peerVenvDir(PEER_REQUIREMENTS, '/cache')).toMatch(/^\/cache\/peer-venv\/[0-9a-f]{12}$/);
    expect(peerVenvDir(['dlt[postgres]==9.9.9', 'pyarrow==1.0.0'], '/cache')).not.toBe(peerVenvDir(PEER_REQUIREMENTS, '/cache'));
  });

  it('takes --peer-script and --skip-peer, and reproduces only whether the peer ran', () => {
    expect(parseBenchArgs(['--peer-script', '/x/dlt.py']).peerScript).toBe('/x/dlt.py');
    expect(reproduceCommand(parseBenchArgs(['--peer-script', '/x/dlt.py']))).toBe('npm run bench');
    const skipped = parseBenchArgs(['--skip-peer', '--sizes', '20000']);
    expect(skipped.skipPeer).toBe(true);
    expect(reproduceCommand(skipped)).toBe('npm run bench -- --sizes 20000 --skip-peer');
    expect(() => parseBenchArgs(['--skip-peer', '--peer-script', '/x/dlt.py'])).toThrow(/exclude/);
  });
});
