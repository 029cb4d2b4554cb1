/**
 * docker-compose.yml and the Dockerfile cannot be run on machines without a Docker engine, so this
 * test holds them to the code: the worker's environment must be a configuration the worker itself
 * accepts, its addresses must name services that serve them, and the Temporal server must register
 * the search attributes the workflows set.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadDatabaseConfig, loadMetricsConfig, loadWorkerConfig } from '../../src/config.ts';
import { createPipelineMetrics } from '../../src/metrics/pipeline-metrics.ts';
import { ConfigError } from '../../src/errors.ts';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../src/workflows/ingest-file-contract.ts';
import { DEFAULT_TASK_QUEUE } from '../../src/workflows/task-queue.ts';

type Env = Record<string, string | undefined>;

const root = new URL('../../', import.meta.url);
const readRepoFile = (path: string): string => readFileSync(new URL(path, root), 'utf8');

// ---- Compose variable interpolation, as `docker compose` does it before anything else ----------

const VARIABLE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

function interpolate(value: string, env: Env): string {
  return value.replace(
    VARIABLE,
    (match, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
      if (match === '$$') return '$';
      const name = braced ?? bare ?? '';
      const current = env[name];
      switch (operator) {
        case ':-':
          return current ? current : (argument ?? '');
        case '-':
          return current ?? argument ?? '';
        case ':?':
          if (!current) throw new Error(`required variable ${name} is missing a value: ${argument}`);
          return current;
        case '?':
          if (current === undefined) throw new Error(`required variable ${name} is missing a value: ${argument}`);
          return current;
        default:
          return current ?? '';
      }
    },
  );
}

function interpolateDeep(node: unknown, env: Env): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateDeep(item, env));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, interpolateDeep(value, env)]));
  }
  return node;
}

// ---- The part of the compose format this test reads ----------------------------------------------

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const environment = z
  .union([z.record(z.string(), scalar), z.array(z.string())])
  .transform((env): Record<string, string> => {
    const entries = Array.isArray(env)
      ? env.map((line): [string, string] => {
          const at = line.indexOf('=');
          return at === -1 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
        })
      : Object.entries(env).map(([key, value]): [string, string] => [key, value === null ? '' : String(value)]);
    return Object.fromEntries(entries);
  });
const portEntry = z.union([
  z.string(),
  z.number(),
  z.object({
    target: z.coerce.number(),
    published: z.union([z.string(), z.number()]).optional(),
    host_ip: z.string().optional(),
  }),
]);
const serviceSchema = z.object({
  image: z.string().optional(),
  build: z.union([z.string(), z.object({ context: z.string(), dockerfile: z.string().optional() })]).optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  environment: environment.optional(),
  ports: z.array(portEntry).optional(),
  expose: z.array(z.union([z.string(), z.number()])).optional(),
  volumes: z.array(z.string()).optional(),
  healthcheck: z
    .object({ test: z.union([z.string(), z.array(z.string())]).optional(), disable: z.boolean().optional() })
    .optional(),
  depends_on: z
    .union([
      z.array(z.string()),
      z.record(
        z.string(),
        z.object({
          condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']).optional(),
        }),
      ),
    ])
    .optional(),
  restart: z.string().optional(),
});
const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.unknown().nullable()).optional(),
});
type Service = z.infer<typeof serviceSchema>;
type Compose = z.infer<typeof composeSchema>;

/** The only variable the file insists on; everything else has a local default. */
const TEST_ENV: Env = { PIPEFORGE_EMAIL_HASH_KEY: 'a-test-secret-of-32-characters!!' };

const rawCompose: unknown = parse(readRepoFile('docker-compose.yml'));

function loadCompose(env: Env): Compose {
  return composeSchema.parse(interpolateDeep(rawCompose, env));
}

function service(compose: Compose, name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function commandOf(svc: Service): string[] {
  if (svc.command === undefined) return [];
  return typeof svc.command === 'string' ? svc.command.split(/\s+/).filter(Boolean) : svc.command;
}

type Port = { hostIp: string | undefined; container: number };

function parsePort(entry: z.infer<typeof portEntry>): Port {
  if (typeof entry === 'object') return { hostIp: entry.host_ip, container: entry.target };
  const parts = String(entry).replace(/\/(tcp|udp)$/, '').split(':');
  const container = Number(parts.at(-1));
  const hostIp = parts.length === 3 ? parts[0] : undefined;
  return { hostIp, container };
}

function containerPorts(svc: Service): number[] {
  return [...(svc.ports ?? []).map((entry) => parsePort(entry).container), ...(svc.expose ?? []).map(Number)];
}

function dependencyCondition(svc: Service, on: string): string | undefined {
  const deps = svc.depends_on;
  if (deps === undefined) return undefined;
  if (Array.isArray(deps)) return deps.includes(on) ? 'service_started' : undefined;
  const dep = deps[on];
  return dep === undefined ? undefined : (dep.condition ?? 'service_started');
}

/** Required variables as the code reports them when given nothing: "X is not set". */
function requiredWorkerVariables(): string[] {
  try {
    loadWorkerConfig({});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.flatMap((problem) => /^(\w+) is not set$/.exec(problem)?.[1] ?? []);
  }
  throw new Error('loadWorkerConfig accepted an empty environment');
}

// ---- Dockerfile ---------------------------------------------------------------------------------

type Stage = { from: string; name: string | undefined; instructions: Array<{ keyword: string; args: string }> };

function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const words = rest.filter((word) => !word.startsWith('--platform'));
      const asAt = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({ from: words[0] ?? '', name: asAt === -1 ? undefined : words[asAt + 1], instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** The image a stage starts from, following `FROM <earlier stage>` back to a real image. */
function baseImage(stages: Stage[], stage: Stage): string {
  const earlier = stages.find((candidate) => candidate.name !== undefined && candidate.name === stage.from);
  return earlier && earlier !== stage ? baseImage(stages, earlier) : stage.from;
}

function lastInstruction(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1)?.args;
}

function isRootUser(user: string): boolean {
  const name = user.split(':')[0]?.trim() ?? '';
  return name === 'root' || name === '0' || name === '';
}

// ---- The tests ------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  const compose = loadCompose(TEST_ENV);
  const worker = service(compose, 'worker');
  const workerEnv = worker.environment ?? {};
  const packageJson = z.object({ scripts: z.record(z.string(), z.string()) }).parse(JSON.parse(readRepoFile('package.json')));

  it('has the seven services, each long-running one with a healthcheck', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['grafana', 'migrate', 'minio', 'postgres', 'prometheus', 'temporal', 'worker']);
    for (const name of ['postgres', 'temporal', 'minio', 'worker', 'prometheus', 'grafana']) {
      const healthcheck = service(compose, name).healthcheck;
      expect({ name, disabled: healthcheck?.disable ?? false }).toEqual({ name, disabled: false });
      const test = healthcheck?.test;
      expect(Array.isArray(test) ? test[0] : undefined).toMatch(/^CMD(-SHELL)?$/);
    }
    // The one-shot must not be restarted after it exits, or `service_completed_successfully` never holds.
    expect(service(compose, 'migrate').restart ?? 'no').toBe('no');
  });

  it("gives the worker a complete configuration by the worker's own loader", () => {
    const required = requiredWorkerVariables();
    expect(required).toEqual(expect.arrayContaining(['DATABASE_URL', 'PIPEFORGE_EMAIL_HASH_KEY']));
    for (const variable of required) expect(Object.keys(workerEnv)).toContain(variable);

    const config = loadWorkerConfig(workerEnv);
    expect(config.temporal.taskQueue).toBe(DEFAULT_TASK_QUEUE);
    expect(config.temporal.namespace).toBe('default');
    expect(config.pipeline.emailHashKey).toBe(TEST_ENV.PIPEFORGE_EMAIL_HASH_KEY);

    // The check can fail: the same environment without the database is refused.
    const withoutDatabase: Env = { ...workerEnv };
    delete withoutDatabase.DATABASE_URL;
    expect(() => loadWorkerConfig(withoutDatabase)).toThrow(/DATABASE_URL is not set/);
  });

  it('refuses to start without a real email hash key: there is no default for it', () => {
    expect(() => loadCompose({})).toThrow(/PIPEFORGE_EMAIL_HASH_KEY/);
    // A key shorter than the worker accepts would be caught by the worker at start.
    const weak = loadCompose({ PIPEFORGE_EMAIL_HASH_KEY: 'short' });
    expect(() => loadWorkerConfig(service(weak, 'worker').environment ?? {})).toThrow(/PIPEFORGE_EMAIL_HASH_KEY/);
  });

  it('points the worker at services that serve the addresses, and waits for them to be healthy', () => {
    const config = loadWorkerConfig(workerEnv);
    const database = new URL(config.database.url);
    const [temporalHost = '', temporalPort = ''] = config.temporal.address.split(':');
    const endpoints = [
      { host: database.hostname, port: Number(database.port || 5432) },
      { host: temporalHost, port: Number(temporalPort) },
      { host: config.storage.endPoint, port: config.storage.port },
    ];
    expect(endpoints.map((endpoint) => endpoint.host)).toEqual(['postgres', 'temporal', 'minio']);
    for (const { host, port } of endpoints) {
      expect({ host, ports: containerPorts(service(compose, host)) }).toEqual({ host, ports: expect.arrayContaining([port]) });
      expect({ host, condition: dependencyCondition(worker, host) }).toEqual({ host, condition: 'service_healthy' });
    }
    expect(dependencyCondition(worker, 'migrate')).toBe('service_completed_successfully');
    expect(config.storage.useSSL).toBe(false);
  });

  it('uses the credentials and database the servers are started with', () => {
    const config = loadWorkerConfig(workerEnv);
    const database = new URL(config.database.url);
    const postgresEnv = service(compose, 'postgres').environment ?? {};
    expect(database.pathname).toBe(`/${postgresEnv.POSTGRES_DB}`);
    expect(decodeURIComponent(database.username)).toBe(postgresEnv.POSTGRES_USER);
    expect(decodeURIComponent(database.password)).toBe(postgresEnv.POSTGRES_PASSWORD);

    const minioEnv = service(compose, 'minio').environment ?? {};
    expect(config.storage.accessKey).toBe(minioEnv.MINIO_ROOT_USER);
    expect(config.storage.secretKey).toBe(minioEnv.MINIO_ROOT_PASSWORD);

    // Overriding a password in the environment changes both sides together.
    const overridden = loadCompose({ ...TEST_ENV, POSTGRES_PASSWORD: 'other-pass', MINIO_SECRET_KEY: 'other-secret' });
    const overriddenConfig = loadWorkerConfig(service(overridden, 'worker').environment ?? {});
    expect(new URL(overriddenConfig.database.url).password).toBe('other-pass');
    expect(service(overridden, 'postgres').environment?.POSTGRES_PASSWORD).toBe('other-pass');
    expect(overriddenConfig.storage.secretKey).toBe('other-secret');
    expect(service(overridden, 'minio').environment?.MINIO_ROOT_PASSWORD).toBe('other-secret');
  });

  it('migrates with the same database before the worker starts', () => {
    const migrate = service(compose, 'migrate');
    expect(commandOf(migrate).join(' ')).toBe(`${packageJson.scripts.pipeforge} migrate`);
    expect(loadDatabaseConfig(migrate.environment ?? {}).url).toBe(loadWorkerConfig(workerEnv).database.url);
    expect(dependencyCondition(migrate, 'postgres')).toBe('service_healthy');
    // Both run the image built from the repository's Dockerfile.
    expect(migrate.build).toBeDefined();
    expect(worker.build).toBeDefined();
    expect(migrate.image).toBe(worker.image);
    expect(commandOf(worker).join(' ')).toBe(packageJson.scripts.worker);
  });

  it('registers exactly the search attributes of SEARCH_ATTRIBUTE_REGISTRATIONS', () => {
    const args = commandOf(service(compose, 'temporal'));
    expect(args.slice(0, 2)).toEqual(['server', 'start-dev']);
    const registered = args.flatMap((arg, index) => (arg === '--search-attribute' ? [args[index + 1] ?? ''] : []));
    const expected = SEARCH_ATTRIBUTE_REGISTRATIONS.map(({ name, type }) => `${name}=${type}`);
    expect([...registered].sort()).toEqual([...expected].sort());
    expect(registered).toHaveLength(expected.length);
  });

  it('runs the Temporal dev server reachable from the other containers, with its state in a volume', () => {
    const temporal = service(compose, 'temporal');
    const args = commandOf(temporal);
    const flag = (name: string): string | undefined => args[args.indexOf(name) + 1];
    expect(flag('--ip')).toBe('0.0.0.0');
    const dbFile = flag('--db-filename') ?? '';
    const mounts = (temporal.volumes ?? []).map((mount) => mount.split(':')[1] ?? '');
    expect(mounts.some((target) => dbFile.startsWith(`${target}/`))).toBe(true);
  });

  it('publishes every port on loopback only', () => {
    const published = Object.entries(compose.services).flatMap(([name, svc]) =>
      (svc.ports ?? []).map((entry) => ({ name, entry, hostIp: parsePort(entry).hostIp })),
    );
    expect(published.length).toBeGreaterThan(0);
    for (const port of published) expect(port).toEqual({ ...port, hostIp: '127.0.0.1' });
    const loopbackUi = new URL(loadWorkerConfig(workerEnv).temporal.uiUrl ?? '');
    expect(containerPorts(service(compose, 'temporal'))).toContain(Number(loopbackUi.port));
  });

  it('keeps server data in declared named volumes', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const name of ['postgres', 'temporal', 'minio', 'prometheus', 'grafana']) {
      const sources = (service(compose, name).volumes ?? []).map((mount) => mount.split(':')[0] ?? '');
      expect({ name, named: sources.filter((source) => declared.includes(source)).length > 0 }).toEqual({
        name,
        named: true,
      });
    }
  });
});

// ---- Prometheus and Grafana ----------------------------------------------------------------------

/** The host file a service mounts at `target`, relative to the repository. */
function mountedFile(svc: Service, target: string): string {
  const mount = (svc.volumes ?? []).find((entry) => entry.split(':')[1] === target);
  if (!mount) throw new Error(`nothing is mounted at ${target}`);
  return (mount.split(':')[0] ?? '').replace(/^\.\//, '');
}

const prometheusConfig = z.object({
  scrape_configs: z.array(
    z.object({
      job_name: z.string(),
      metrics_path: z.string().optional(),
      static_configs: z.array(z.object({ targets: z.array(z.string()) })),
    }),
  ),
});
const datasources = z.object({
  datasources: z.array(
    z.object({
      uid: z.string(),
      type: z.string(),
      url: z.string(),
      user: z.string().optional(),
      jsonData: z.object({ database: z.string().optional() }).passthrough().optional(),
      secureJsonData: z.record(z.string(), z.string()).optional(),
    }),
  ),
});
const dashboardTarget = z.object({ datasource: z.object({ uid: z.string() }), rawSql: z.string().optional(), expr: z.string().optional() });
const dashboard = z.object({
  uid: z.string(),
  title: z.string(),
  panels: z.array(z.object({ title: z.string(), datasource: z.object({ uid: z.string() }), targets: z.array(dashboardTarget) })),
});

describe('monitoring in docker-compose.yml', () => {
  const compose = loadCompose(TEST_ENV);
  const worker = service(compose, 'worker');
  const prometheus = service(compose, 'prometheus');
  const grafana = service(compose, 'grafana');
  const metrics = loadMetricsConfig(worker.environment ?? {});

  it("turns on the worker's metrics endpoint, reachable from the other containers", () => {
    expect(metrics).not.toBeNull();
    expect(metrics?.host).toBe('0.0.0.0');
    expect(containerPorts(worker)).toContain(metrics?.port);
  });

  it("scrapes exactly the worker's metrics port, from the file Prometheus is started with", () => {
    const configFlag = commandOf(prometheus).find((arg) => arg.startsWith('--config.file='))?.split('=')[1] ?? '';
    const config = prometheusConfig.parse(parse(readRepoFile(mountedFile(prometheus, configFlag))));
    const targets = config.scrape_configs.flatMap((job) => job.static_configs.flatMap((group) => group.targets));
    expect(targets).toEqual([`worker:${metrics?.port}`]);
    expect(config.scrape_configs[0]?.metrics_path ?? '/metrics').toBe('/metrics');
  });

  it('provisions Grafana with Prometheus and the PostgreSQL database the worker writes', () => {
    const provisioning = mountedFile(grafana, '/etc/grafana/provisioning');
    const sources = datasources.parse(parse(readRepoFile(`${provisioning}/datasources/pipeforge.yml`))).datasources;
    const prom = sources.find((source) => source.type === 'prometheus');
    const pg = sources.find((source) => source.type.includes('postgres'));
    const promUrl = new URL(prom?.url ?? '');
    expect(promUrl.hostname).toBe('prometheus');
    expect(containerPorts(prometheus)).toContain(Number(promUrl.port));

    const database = new URL(loadWorkerConfig(worker.environment ?? {}).database.url);
    expect(pg?.url).toBe(`${database.hostname}:${database.port || 5432}`);
    expect(pg?.user).toBe(decodeURIComponent(database.username));
    expect(pg?.jsonData?.database).toBe(database.pathname.slice(1));
    // The password comes from Grafana's environment, which carries the database's.
    expect(pg?.secureJsonData?.password).toBe('$POSTGRES_PASSWORD');
    expect(grafana.environment?.POSTGRES_PASSWORD).toBe(service(compose, 'postgres').environment?.POSTGRES_PASSWORD);
  });

  it('provisions a dashboard that parses and charts sales_aggregates_daily and the worker metrics', async () => {
    const provisioning = mountedFile(grafana, '/etc/grafana/provisioning');
    const provider = z
      .object({ providers: z.array(z.object({ options: z.object({ path: z.string() }) })) })
      .parse(parse(readRepoFile(`${provisioning}/dashboards/pipeforge.yml`)));
    const dashboardsDir = mountedFile(grafana, provider.providers[0]?.options.path ?? '');
    const board = dashboard.parse(JSON.parse(readRepoFile(`${dashboardsDir}/pipeforge.json`)));
    const sources = datasources.parse(parse(readRepoFile(`${provisioning}/datasources/pipeforge.yml`))).datasources;

    const targets = board.panels.flatMap((panel) => panel.targets);
    for (const target of targets) expect(sources.map((source) => source.uid)).toContain(target.datasource.uid);
    const sqlTexts = targets.flatMap((target) => target.rawSql ?? []);
    expect(sqlTexts.length).toBeGreaterThan(0);
    for (const text of sqlTexts) expect(text).toMatch(/\bfrom sales_aggregates_daily\b/);

    // Every PipeForge metric a panel charts is one the worker exports.
    const exported = (await createPipelineMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name);
    const charted = targets.flatMap((target) => target.expr?.match(/\bpipeforge_[a-z_]+/g) ?? []);
    expect(charted.length).toBeGreaterThan(0);
    for (const name of charted) expect(exported).toContain(name.replace(/_(bucket|count|sum)$/, ''));
  });
});

describe('Dockerfile', () => {
  const stages = parseDockerfile(readRepoFile('Dockerfile'));
  const final = stages.at(-1);
  if (!final) throw new Error('Dockerfile has no FROM');
  const workerCommand = commandOf(service(loadCompose(TEST_ENV), 'worker'));

  it('builds the final stage on Node 24, the version package.json installs', () => {
    const image = baseImage(stages, final);
    const major = /^node:(\d+)(?:[.-]|$)/.exec(image)?.[1];
    expect(major).toBe('24');
    // The project pins its Node.js as the `node` package, which every npm script runs.
    const pinned = z.object({ dependencies: z.object({ node: z.string() }) }).parse(JSON.parse(readRepoFile('package.json')));
    expect(pinned.dependencies.node.split('.')[0]).toBe(major);
  });

  it('runs as a user that is not root', () => {
    const user = lastInstruction(final, 'USER');
    expect(user).toBeDefined();
    expect(isRootUser(user ?? '')).toBe(false);
    expect(isRootUser('root')).toBe(true);
  });

  it('starts the worker by default and ships what compose runs in it', () => {
    expect(JSON.parse(lastInstruction(final, 'CMD') ?? 'null')).toEqual(workerCommand);
    const copied = final.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    for (const path of ['src', 'sql', 'package.json', 'node_modules', 'docker/worker-healthcheck.ts']) {
      expect(copied.some((args) => args.split(/\s+/).some((word) => word === path || word.endsWith(`/${path}`)))).toBe(
        true,
      );
    }
    const healthcheck = service(loadCompose(TEST_ENV), 'worker').healthcheck?.test ?? [];
    expect(healthcheck).toContain('docker/worker-healthcheck.ts');
    expect(readRepoFile('docker/worker-healthcheck.ts')).toContain('describeTaskQueue');
  });

  it('installs production dependencies only, from the lock file', () => {
    const runs = stages.flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args));
    expect(runs.some((run) => /\bnpm ci\b/.test(run) && /--omit=dev\b/.test(run))).toBe(true);
  });

  it('keeps local state, tests and dependencies out of the build context', () => {
    const ignored = readRepoFile('.dockerignore')
      .split(/\r?\n/)
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.git', '.pipeforge', 'test', 'coverage']));
  });

  it('runs MinIO, built from source, as a user that is not root', () => {
    const minio = service(loadCompose(TEST_ENV), 'minio');
    const build = minio.build;
    expect(typeof build).toBe('object');
    if (typeof build !== 'object') return;
    const minioStages = parseDockerfile(readRepoFile(`${build.context.replace(/^\.\//, '')}/${build.dockerfile}`));
    const minioFinal = minioStages.at(-1);
    expect(isRootUser(minioFinal ? (lastInstruction(minioFinal, 'USER') ?? '') : '')).toBe(false);
    // Its healthcheck's program is installed in that image.
    const check = minio.healthcheck?.test ?? [];
    const program = Array.isArray(check) ? check[1] : undefined;
    expect(minioFinal?.instructions.some((i) => i.keyword === 'RUN' && i.args.includes(`install`) && i.args.includes(` ${program} `))).toBe(
      true,
    );
  });
});
