// The deploy examples in examples/, parsed and their commands run against a real database
// in an application project that ships one plan (db/plans/0042_rename): the Kubernetes Job
// and the Deployment's init container as the kubelet starts them, the Dockerfile's default
// command as `docker run` starts it, and the release workflow step by step with kubectl faked.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testDatabase } from '../helpers/db.js';
import { appProject, baseEnv, fakeTool, jobEnv, readYaml, ROOT, runSteps, sh, type Step } from './harness.js';

const db = await testDatabase();
const c = await db.client();

const USERS = 'CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL);';
const app = appProject({
  'db/migrations/0001_users.sql': `${USERS}\n`,
  'db/migrations/0042_rename.sql': 'ALTER TABLE users RENAME COLUMN name TO full_name;\n',
  // the application: says it started, and stops
  'server.js': "console.log('shop started');\n",
});
const planned = runCli(
  ['plan', 'db/migrations/0042_rename.sql', '--history', 'db/migrations', '--out', 'db/plans/0042_rename'],
  { cwd: app },
);
expect(planned.code, planned.stderr).toBe(0);
/** The image's PATH: its node_modules/.bin first (examples/docker/Dockerfile). */
const imagePath = `${join(app, 'node_modules/.bin')}:${process.env.PATH}`;

beforeEach(async () => {
  await c.query(
    `DROP SCHEMA IF EXISTS pgphase CASCADE; DROP SCHEMA public CASCADE; CREATE SCHEMA public; ${USERS} INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 100) g;`,
  );
});

async function applied(): Promise<string[]> {
  const { rows } = await c
    .query<{ phase: string }>(`SELECT phase FROM pgphase.phase_log WHERE status = 'applied' ORDER BY started_at`)
    .catch(() => ({ rows: [] }));
  return rows.map((r) => r.phase);
}

// --- Kubernetes ------------------------------------------------------------------------

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: EnvVar[];
}
interface PodSpec {
  restartPolicy?: string;
  initContainers?: Container[];
  containers: Container[];
}
interface Workload {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    selector?: { matchLabels: Record<string, string> };
  };
}

const SECRETS: Record<string, string> = { 'shop-database/url': db.url };

/** The container's environment as the kubelet builds it: values, and secrets by name and key. */
function containerEnv(container: Container, overrides: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    const secret = v.valueFrom && SECRETS[`${v.valueFrom.secretKeyRef.name}/${v.valueFrom.secretKeyRef.key}`];
    env[v.name] = v.value ?? secret ?? '';
  }
  return { ...env, ...overrides };
}

/** `command` with `$(VAR)` replaced from the container's environment, as Kubernetes does (`$$` escapes). */
function expand(command: string[], env: Record<string, string>): string[] {
  return command.map((arg) =>
    arg.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name?: string) =>
      name === undefined ? '$' : (env[name] ?? all),
    ),
  );
}

/** Starts the container's command in the application's directory (the image's WORKDIR). */
function start(container: Container, overrides: Record<string, string> = {}) {
  const env = containerEnv(container, overrides);
  const [command, ...args] = expand(container.command!, env);
  const child = spawn(command!, args, { cwd: app, env: baseEnv({ ...env, PATH: imagePath }) });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exit = new Promise<number>((done) => child.on('exit', (code) => done(code ?? -1)));
  return { exit, output: () => output };
}

describe('Kubernetes: the migration Job (examples/kubernetes/migrate-job.yaml)', () => {
  const job = readYaml<Workload>('examples/kubernetes/migrate-job.yaml');
  const container = job.spec.template.spec.containers[0]!;

  it('is a Job that runs `pgphase run <plan> <phase>` once, never restarted in place', () => {
    expect([job.apiVersion, job.kind, job.spec.template.spec.restartPolicy]).toEqual(['batch/v1', 'Job', 'Never']);
    expect(expand(container.command!, containerEnv(container))).toEqual([
      'pgphase',
      'run',
      'db/plans/0042_rename',
      'expand',
      '--wait',
      '5min',
    ]);
    // its pods are not the application's: the release waits on app=shop pods
    expect(job.spec.template.metadata.labels.app).not.toBe('shop');
  });

  it('applies its phase, and a retry of the Job is a no-op', async () => {
    const first = start(container);
    expect([await first.exit, first.output()]).toEqual([0, expect.stringContaining('"outcome":"applied"')]);
    expect(await applied()).toEqual(['expand']);
    const retry = start(container);
    expect([await retry.exit, retry.output()]).toEqual([0, expect.stringContaining('"outcome":"already-applied"')]);
    // the same Job for the next phase
    const trigger = start(container, { PHASE: 'trigger' });
    expect(await trigger.exit).toBe(0);
    expect(await applied()).toEqual(['expand', 'trigger']);
  });
});

describe('Kubernetes: the Deployment (examples/kubernetes/deployment.yaml)', () => {
  const deployment = readYaml<Workload>('examples/kubernetes/deployment.yaml');
  const pod = deployment.spec.template.spec;

  it('verifies in an init container and never migrates', () => {
    expect(deployment.kind).toBe('Deployment');
    expect(deployment.spec.selector!.matchLabels).toEqual(deployment.spec.template.metadata.labels);
    expect(pod.initContainers!.map((x) => x.command)).toEqual([['pgphase', 'verify', 'db/plans', '--wait', '60s']]);
    expect(JSON.stringify(pod.containers)).not.toMatch(/pgphase/);
    // one image for all: the release updates them together
    expect(new Set([...pod.initContainers!, ...pod.containers].map((x) => x.image)).size).toBe(1);
  });

  it('holds the pod until the migration Jobs have applied the expand and the trigger, then lets it start', async () => {
    const init = start(pod.initContainers![0]!);
    let exited = false;
    void init.exit.then(() => (exited = true));
    await new Promise((r) => setTimeout(r, 1500));
    expect(exited).toBe(false);
    const job = readYaml<Workload>('examples/kubernetes/migrate-job.yaml').spec.template.spec.containers[0]!;
    expect(await start(job).exit).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(exited, 'V+1 starts before the trigger').toBe(false);
    expect(await start(job, { PHASE: 'trigger' }).exit).toBe(0);
    expect(await init.exit).toBe(0);
    expect(init.output()).toMatch(/^compatible: /m);
  });
});

// --- Docker ----------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

/** Dockerfile instructions: comments dropped, `\` continuations joined. */
function dockerfile(text: string): Instruction[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  return logical.map((line) => {
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`not an instruction: ${line}`);
    return { keyword: m[1]!.toUpperCase(), args: m[2]! };
  });
}

const KEYWORDS = new Set([
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);

describe('Docker: one image (examples/docker/Dockerfile)', () => {
  const instructions = dockerfile(readFileSync(join(ROOT, 'examples/docker/Dockerfile'), 'utf8'));
  const workdir = instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)!.args;
  const cmd = instructions.filter((i) => i.keyword === 'CMD');

  /** The image's environment with WORKDIR standing for the application's directory here. */
  function imageEnv(): Record<string, string> {
    const env: Record<string, string> = { PATH: process.env.PATH! };
    for (const i of instructions.filter((x) => x.keyword === 'ENV')) {
      for (const [, key, value] of i.args.matchAll(/(\w+)=(\S+)/g))
        env[key!] = value!.replaceAll(workdir, app).replace(/\$(\w+)/g, (_, name: string) => env[name] ?? '');
    }
    return env;
  }

  const startImage = (env: Record<string, string> = {}) =>
    sh(cmd[0]!.args, { cwd: app, env: baseEnv({ ...imageEnv(), ...env }), shell: ['/bin/sh', '-c'] });

  it('is a Dockerfile with one CMD (shell form) and pgphase on the PATH', () => {
    expect(instructions.every((i) => KEYWORDS.has(i.keyword))).toBe(true);
    expect(instructions[0]!.keyword).toBe('FROM');
    expect(cmd).toHaveLength(1);
    expect(cmd[0]!.args).not.toMatch(/^\[/);
    expect(instructions.some((i) => i.keyword === 'ENTRYPOINT')).toBe(false);
    expect(imageEnv()).toMatchObject({ PGPHASE_DEV: '0', PATH: `${app}/node_modules/.bin:${process.env.PATH}` });
    // `docker run IMAGE pgphase …` replaces the command: pgphase is found on the image's PATH
    expect(sh('pgphase --version', { cwd: app, env: baseEnv(imageEnv()) }).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('starts the application by default, without touching the database', async () => {
    const r = startImage({ DATABASE_URL: db.url });
    expect([r.code, r.stdout]).toEqual([0, 'shop started\n']);
    expect(await applied()).toEqual([]);
  });

  it('with PGPHASE_DEV=1 applies every phase of every plan first', async () => {
    const r = startImage({ DATABASE_URL: db.url, PGPHASE_DEV: '1' });
    expect([r.code, r.stdout]).toEqual([0, 'shop started\n']);
    expect(await applied()).toEqual(['expand', 'trigger', 'backfill', 'contract']);
    expect((await c.query(`SELECT count(*)::int AS n FROM users WHERE full_name = 'user ' || id`)).rows[0]).toEqual({
      n: 100,
    });
  });

  it('with PGPHASE_DEV=1 does not start the application when a phase fails', () => {
    const r = startImage({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', PGPHASE_DEV: '1' });
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('shop started');
    expect(r.stderr).toMatch(/^pgphase: cannot connect to postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
  });
});

// --- The release sequence --------------------------------------------------------------

interface Workflow {
  on: { workflow_dispatch: { inputs: Record<string, { default?: string; required?: boolean }> } };
  jobs: Record<string, { env: Record<string, string>; steps: Step[] }>;
}

describe('CI: a release (examples/github/release.yml)', () => {
  const workflow = readYaml<Workflow>('examples/github/release.yml');

  it('runs expand, deploys V+1, backfills, waits for the pods of V to go, then contracts', async () => {
    const [job] = Object.values(workflow.jobs);
    const inputs = {
      ...Object.fromEntries(Object.entries(workflow.on.workflow_dispatch.inputs).map(([k, v]) => [k, v.default ?? ''])),
      version: '1.5.0',
    };
    const env = jobEnv(job!.env, { inputs, secrets: { DATABASE_URL: db.url } });
    expect(env).toEqual({
      DATABASE_URL: db.url,
      PLAN: 'db/plans/0042_rename',
      IMAGE: 'registry.example.com/shop:1.5.0',
    });

    // kubectl and sleep stand-ins: the cluster shows a pod of V on the first look only
    const bin = join(app, '.fake-bin');
    const log = join(app, '.fake-bin/log');
    fakeTool(bin, 'sleep', log);
    fakeTool(
      bin,
      'kubectl',
      log,
      `case "$1 $2" in "get pods")
  if [ -e '${bin}/looked' ]; then echo "$IMAGE $IMAGE"; else touch '${bin}/looked'; echo "registry.example.com/shop:1.4.0 $IMAGE"; fi;;
esac`,
    );
    // step by step, to see what each one did: the phases applied after it and the tools it called
    const afterEachStep: Array<[string, string[], string[]]> = [];
    for (const step of job!.steps) {
      // the test stands in for the checkout and `npm ci`: `app` is the checked-out, installed project
      const run = runSteps([step], {
        cwd: app,
        env: baseEnv({ ...env, PATH: `${bin}:${imagePath}` }),
        contexts: { inputs, secrets: { DATABASE_URL: db.url } },
        skip: (s) => s.run === 'npm ci',
      });
      expect(run.failed, run.steps[0]!.stderr).toBe(false);
      afterEachStep.push([run.steps[0]!.name, await applied(), readFileSync(log, 'utf8').split('\n').filter(Boolean)]);
      writeFileSync(log, '');
    }
    expect(afterEachStep).toEqual([
      ['actions/checkout@v4', [], []],
      ['npm ci', [], []],
      ['Expand (and trigger), which the running version V does not notice', ['expand', 'trigger'], []],
      [
        'Deploy V+1',
        ['expand', 'trigger'],
        [
          'kubectl set image deployment/shop app=registry.example.com/shop:1.5.0 pgphase-verify=registry.example.com/shop:1.5.0',
          'kubectl rollout status deployment/shop --timeout=10m',
        ],
      ],
      ['Backfill', ['expand', 'trigger', 'backfill'], []],
      [
        'Wait until no pod of V is left',
        ['expand', 'trigger', 'backfill'],
        [
          'kubectl get pods -l app=shop -o jsonpath={.items[*].spec.containers[0].image}',
          'sleep 10',
          'kubectl get pods -l app=shop -o jsonpath={.items[*].spec.containers[0].image}',
        ],
      ],
      ['Contract', ['expand', 'trigger', 'backfill', 'contract'], []],
    ]);
  });

  it('stops waiting with a failure, not a contract, when kubectl cannot list the pods', () => {
    const [job] = Object.values(workflow.jobs);
    const wait = job!.steps.find((s) => s.name === 'Wait until no pod of V is left')!;
    const bin = join(app, '.failing-bin');
    fakeTool(bin, 'kubectl', join(bin, 'log'), 'echo "error: You must be logged in to the server" >&2; exit 1');
    const run = runSteps([wait], {
      cwd: app,
      env: baseEnv({ IMAGE: 'registry.example.com/shop:1.5.0', PATH: `${bin}:${process.env.PATH}` }),
      contexts: { inputs: {} },
    });
    expect([run.failed, run.steps[0]!.stderr]).toEqual([true, 'error: You must be logged in to the server\n']);
  });
});
