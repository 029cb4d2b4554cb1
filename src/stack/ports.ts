import { connect, createServer, type Server } from 'node:net';

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
 * A connection the listener closes first leaves the port in TIME_WAIT after the listener is gone.
 * Linux then keeps it out of the ports it hands to bind(0) and to outgoing connections for a
 * minute, while our servers, which bind with SO_REUSEADDR, can still take it.
 */
function holdInTimeWait(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('connection', (accepted) => accepted.destroy());
    const client = connect({ port, host: LOOPBACK });
    client.once('error', reject);
    client.once('close', () => resolve());
  });
}

/**
 * Configured ports are checked up front so a clash is reported by name instead of as a server
 * crash. Free ports are all held open at once while they are chosen, so two servers never get the
 * same one; TIME_WAIT keeps the system from handing them out again, and a start that still meets
 * a taken port is retried.
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
      await holdInTimeWait(server, address.port);
    }
  } finally {
    await Promise.all(held.map(close));
  }
  return ports as StackPorts;
}
