import { createServer, type Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

export type PortName = 'postgres' | 'temporal' | 'temporalUi' | 'minio' | 'minioConsole';
export type StackPorts = Record<PortName, number>;

const PORT_NAMES: readonly PortName[] = ['postgres', 'temporal', 'temporalUi', 'minio', 'minioConsole'];

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: LOOPBACK, exclusive: true }, () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function isPortFree(port: number): Promise<boolean> {
  try {
    await close(await listen(port));
    return true;
  } catch {
    return false;
  }
}

/**
 * Configured ports are checked up front so a clash is reported by name instead of as a server
 * crash. Free ports are all held open at once while they are chosen, so two servers never get the
 * same one; another process can still take one before our server binds it, which a retry fixes.
 */
export async function resolvePorts(requested: Partial<StackPorts> = {}): Promise<StackPorts> {
  const taken: string[] = [];
  for (const name of PORT_NAMES) {
    const port = requested[name];
    if (port !== undefined && !(await isPortFree(port))) taken.push(`${name} port ${port}`);
  }
  if (taken.length > 0) {
    throw new Error(`Cannot start the local stack: ${taken.join(', ')} already in use on ${LOOPBACK}`);
  }

  const held: Server[] = [];
  const ports: Partial<StackPorts> = { ...requested };
  try {
    for (const name of PORT_NAMES) {
      if (ports[name] !== undefined) continue;
      const server = await listen(0);
      held.push(server);
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('could not read a bound port');
      ports[name] = address.port;
    }
  } finally {
    await Promise.all(held.map(close));
  }
  return ports as StackPorts;
}
