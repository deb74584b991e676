import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/config.js';

const root = join(import.meta.dirname, '..', '..');
const base = join(root, 'deploy', 'kubernetes', 'base');
const overlay = join(root, 'deploy', 'kubernetes', 'overlays', 'example');

type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [k: string]: any;
};

function documents(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null);
}

/**
 * Validates an object against the official Kubernetes OpenAPI schema of its apiVersion
 * and kind (kubernetes-models); throws with the offending path.
 */
async function validate(obj: K8sObject): Promise<void> {
  const [group, version] = obj.apiVersion.includes('/')
    ? obj.apiVersion.split('/')
    : [undefined, obj.apiVersion];
  const module = (await import(
    group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`
  )) as Record<string, new (o: unknown) => { validate(): void }>;
  const Model = module[obj.kind];
  if (!Model) throw new Error(`no schema for ${obj.apiVersion} ${obj.kind}`);
  new Model(obj).validate();
}

function byKind(objects: K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

const kustomization = (dir: string) =>
  parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Record<string, any>;
const baseObjects: K8sObject[] = (kustomization(base).resources as string[]).flatMap((f) =>
  documents(readFileSync(join(base, f), 'utf8')),
);

/** Builds the example overlay with `kubectl kustomize`, its Secret from the example env file. */
function buildOverlay(): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-kustomize-'));
  try {
    cpSync(join(root, 'deploy', 'kubernetes'), dir, { recursive: true });
    const example = join(dir, 'overlays', 'example');
    writeFileSync(
      join(example, 'tollgate.env'),
      readFileSync(join(example, 'tollgate.env.example'), 'utf8'),
    );
    const out = spawnSync('kubectl', ['kustomize', example], { encoding: 'utf8' });
    if (out.status !== 0) throw new Error(`kubectl kustomize failed: ${out.stderr}`);
    const objects = documents(out.stdout);
    // Newer kustomize folds long base64 values over lines, which Kubernetes (Go's
    // decoder) ignores but the schema's "byte" format does not.
    for (const o of objects.filter((x) => x.kind === 'Secret' && x.data)) {
      for (const k of Object.keys(o.data)) o.data[k] = String(o.data[k]).replace(/\s/g, '');
    }
    return objects;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

describe('Kubernetes base (deploy/kubernetes/base)', () => {
  it('every object is valid against the Kubernetes schema', async () => {
    expect(baseObjects.map((o) => o.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'HorizontalPodAutoscaler',
      'Ingress',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
    for (const obj of baseObjects) await validate(obj);
  });

  it('the validation rejects a malformed object (so the test above can fail)', async () => {
    const broken = structuredClone(byKind(baseObjects, 'Deployment'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = '8080';
    await expect(validate(broken)).rejects.toThrow(/containerPort/);
  });

  const deployment = byKind(baseObjects, 'Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const env = Object.fromEntries(
    (container.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
  );

  it('probes liveness on /health and readiness on /ready', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(container.ports[0]).toMatchObject({ name: 'http', containerPort: Number(env.PORT) });
  });

  it('gives a pod the preStop sleep, the whole drain and a margin before SIGKILL', () => {
    const [cmd, seconds] = container.lifecycle.preStop.exec.command as string[];
    expect(cmd).toBe('sleep');
    const drainMs = loadConfig({
      TOLLGATE_DRAIN_TIMEOUT_MS: env.TOLLGATE_DRAIN_TIMEOUT_MS,
    }).drainTimeoutMs;
    expect(drainMs).toBe(loadConfig({}).drainTimeoutMs); // the documented default
    const needed = Number(seconds) + drainMs / 1000;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(needed + 3);
    expect(pod.terminationGracePeriodSeconds).toBeLessThanOrEqual(needed + 10);
  });

  it('runs non-root with a read-only root filesystem, no capabilities, seccomp RuntimeDefault', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    const volumes = Object.fromEntries(
      (pod.volumes as Array<{ name: string }>).map((v) => [v.name, v]),
    );
    const mounted = Object.fromEntries(
      (container.volumeMounts as Array<{ name: string; mountPath: string }>).map((m) => [
        m.mountPath,
        volumes[m.name],
      ]),
    );
    // The only writable places: the data directory (usage spool) and /tmp.
    expect(mounted['/app/data']).toHaveProperty('emptyDir');
    expect(mounted['/tmp']).toHaveProperty('emptyDir');
    expect(container.resources.requests).toEqual(
      expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
    );
    expect(container.resources.limits).toEqual(
      expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
    );
  });

  it('reads keys from the Secret and its configuration from the mounted ConfigMap', () => {
    expect(container.envFrom).toEqual([{ secretRef: { name: 'tollgate-secrets' } }]);
    const configMap = byKind(baseObjects, 'ConfigMap');
    const mount = (container.volumeMounts as Array<{ name: string; mountPath: string }>).find((m) =>
      env.TOLLGATE_CONFIG.startsWith(`${m.mountPath}/`),
    );
    expect(mount).toBeDefined();
    const volume = (pod.volumes as Array<{ name: string; configMap?: { name: string } }>).find(
      (v) => v.name === mount!.name,
    );
    expect(volume?.configMap?.name).toBe(configMap.metadata.name);
    const key = env.TOLLGATE_CONFIG.slice(mount!.mountPath.length + 1);
    // The mounted file is a configuration the gateway accepts.
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-cm-'));
    try {
      writeFileSync(join(dir, key), configMap.data[key]);
      expect(() => loadConfig({ TOLLGATE_CONFIG: join(dir, key) })).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('wires Service, Ingress, PodDisruptionBudget and HPA to the Deployment', () => {
    const labels = deployment.spec.template.metadata.labels;
    const service = byKind(baseObjects, 'Service');
    expect(labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0].targetPort).toBe(container.ports[0].name);
    expect(labels).toMatchObject(
      byKind(baseObjects, 'PodDisruptionBudget').spec.selector.matchLabels,
    );
    const hpa = byKind(baseObjects, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({
      apiVersion: deployment.apiVersion,
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    const ingress = byKind(baseObjects, 'Ingress');
    expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({
      name: service.metadata.name,
      port: { name: service.spec.ports[0].name },
    });
  });

  it('sets the ingress-nginx annotations server-sent events need', () => {
    const a = byKind(baseObjects, 'Ingress').metadata.annotations ?? {};
    expect(a['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(a['nginx.ingress.kubernetes.io/proxy-http-version']).toBe('1.1');
    // Longer than a long generation; the gateway's heartbeat keeps idle streams alive.
    expect(Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(600);
    expect(Number(a['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(600);
  });
});

describe('Kubernetes example overlay (deploy/kubernetes/overlays/example)', () => {
  it('references files that exist', () => {
    const k = kustomization(overlay);
    const files = readdirSync(overlay);
    const local = [
      ...(k.resources ?? []),
      ...(k.patchesStrategicMerge ?? []),
      ...(k.configMapGenerator ?? []).flatMap((g: { files: string[] }) => g.files),
    ];
    for (const f of local) expect(files).toContain(f);
    for (const b of k.bases) expect(readdirSync(join(overlay, b))).toContain('kustomization.yaml');
    // The Secret's env file is the operator's; the example is committed, the real one ignored.
    for (const g of k.secretGenerator) expect(files).toContain(`${g.env}.example`);
    // The configuration the overlay mounts is one the gateway accepts.
    expect(() => loadConfig({ TOLLGATE_CONFIG: join(overlay, 'tollgate.yaml') })).not.toThrow();
  });

  (kubectl || process.env.CI === 'true' ? it : it.skip)(
    'builds with kubectl kustomize into valid objects, generated names wired through',
    async () => {
      const objects = buildOverlay();
      for (const obj of objects) await validate(obj);
      for (const obj of objects.filter((o) => o.kind !== 'Namespace')) {
        expect(obj.metadata.namespace).toBe('tollgate');
      }
      const secret = byKind(objects, 'Secret');
      const configMap = byKind(objects, 'ConfigMap');
      const deployment = byKind(objects, 'Deployment');
      const pod = deployment.spec.template.spec;
      // Hash-suffixed names: a new Secret (a rotated master key) rolls the Deployment.
      expect(secret.metadata.name).toMatch(/^tollgate-secrets-\w+$/);
      expect(pod.containers[0].envFrom[0].secretRef.name).toBe(secret.metadata.name);
      expect(pod.volumes.find((v: { configMap?: unknown }) => v.configMap).configMap.name).toBe(
        configMap.metadata.name,
      );
      expect(Object.keys(secret.data)).toContain('TOLLGATE_MASTER_KEY');
      expect(pod.containers[0].image).toBe('registry.example.com/platform/tollgate:0.1.0');
      // Patches merged, not replacing what the base guarantees.
      expect(deployment.spec.replicas).toBe(3);
      expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.containers[0].livenessProbe.httpGet.path).toBe('/health');
      const ingress = byKind(objects, 'Ingress');
      expect(ingress.metadata.annotations?.['nginx.ingress.kubernetes.io/proxy-buffering']).toBe(
        'off',
      );
      expect(ingress.spec.tls[0].hosts).toEqual([ingress.spec.rules[0].host]);
    },
  );
});
