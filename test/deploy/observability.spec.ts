import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { MASTER_KEY, startGateway } from '../support/gateway.js';

const root = join(import.meta.dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const compose = parse(read('docker-compose.yml'));
const prometheus = parse(read('deploy/prometheus/prometheus.yml'));
const alerts = parse(read('deploy/prometheus/alerts.yml'));
const dashboard = JSON.parse(read('deploy/grafana/dashboards/tollgate.json'));
const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml'));
const dashboardProviders = parse(read('deploy/grafana/provisioning/dashboards/tollgate.yml'));

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
/** Metrics Prometheus itself adds to every scrape. */
const SCRAPE_METRICS = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/**
 * The metric names a PromQL expression reads: label matchers, ranges, strings and
 * grouping clauses are removed, then every identifier that is not a function call or a
 * keyword is a metric name.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = m[0];
    const next = stripped.slice(m.index + name.length).trimStart();
    if (next.startsWith('(') || PROMQL_KEYWORDS.has(name.toLowerCase())) continue;
    names.push(name);
  }
  return names;
}

type Panel = { type: string; title: string; targets?: Array<{ expr: string; datasource?: any }> };
const panels: Panel[] = dashboard.panels;
const dashboardExprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
const variableMetrics = (dashboard.templating.list as Array<{ query: { query: string } }>).map(
  (v) => /^label_values\((\w+),/.exec(v.query.query)?.[1],
);
const alertRules: Array<Record<string, any>> = alerts.groups.flatMap(
  (g: { rules: unknown[] }) => g.rules,
);

describe('metric names in the dashboard and alert rules', () => {
  it('the extractor finds metric names and only them', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, gen_ai_provider_name) (rate(gen_ai_server_request_duration_bucket{provider=~"$provider"}[$__rate_interval])))',
      ),
    ).toEqual(['gen_ai_server_request_duration_bucket']);
    expect(metricNames('sum(a_total{x="b c"}) / on (i) b_total > 0.1 and up == 0')).toEqual([
      'a_total',
      'b_total',
      'up',
    ]);
  });

  it('are all exported by the gateway', async () => {
    const gw = await startGateway({});
    let text: string;
    try {
      const res = await fetch(`${gw.url}/metrics`, {
        headers: { authorization: `Bearer ${MASTER_KEY}` },
      });
      text = await res.text();
    } finally {
      await gw.close();
    }
    const exported = new Set<string>();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(name);
      if (type === 'histogram')
        for (const s of ['_bucket', '_sum', '_count']) exported.add(name + s);
      if (type === 'summary') for (const s of ['_sum', '_count']) exported.add(name + s);
    }
    const used = new Set([
      ...dashboardExprs.flatMap(metricNames),
      ...alertRules.flatMap((r) => metricNames(r.expr)),
      ...variableMetrics,
    ]);
    expect(used.size).toBeGreaterThan(10);
    const unknown = [...used].filter((n) => n && !exported.has(n) && !SCRAPE_METRICS.has(n));
    expect(unknown).toEqual([]);
  });
});

describe('Grafana dashboard (deploy/grafana/dashboards/tollgate.json)', () => {
  it('shows what operators need', () => {
    const all = dashboardExprs.join('\n');
    for (const metric of [
      'tollgate_requests_total',
      'tollgate_request_duration_seconds_bucket',
      'tollgate_overhead_seconds_bucket',
      'tollgate_time_to_first_token_seconds_bucket',
      'tollgate_tokens_total',
      'tollgate_cost_usd_total',
      'tollgate_key_cost_usd_total',
      'tollgate_inflight_requests',
      'tollgate_upstream_errors_total',
      'tollgate_usage_writer_queue_rows',
      'tollgate_usage_writer_oldest_age_seconds',
      'tollgate_usage_dead_letter_rows_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
    ]) {
      expect(all).toContain(metric);
    }
    expect(all).toMatch(/sum by \(status\) \(rate\(tollgate_requests_total/);
  });

  it('uses the provisioned data source, unique panel ids, and panels inside the grid', () => {
    const uid = datasources.datasources[0].uid;
    const ids = panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels as any[]) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.datasource.uid).toBe(uid);
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) {
        expect(t.datasource.uid).toBe(uid);
        // Balanced parentheses and braces: a cheap check that the PromQL is well-formed.
        for (const [open, close] of ['()', '{}', '[]']) {
          expect(t.expr.split(open).length).toBe(t.expr.split(close).length);
        }
      }
    }
  });

  it('is provisioned from where compose mounts it, against the compose Prometheus', () => {
    const grafana = compose.services.grafana;
    const dashboardsMount = (grafana.volumes as string[]).find((v) =>
      v.startsWith('./deploy/grafana/dashboards:'),
    );
    expect(dashboardsMount?.split(':')[1]).toBe(dashboardProviders.providers[0].options.path);
    expect(grafana.volumes).toContain('./deploy/grafana/provisioning:/etc/grafana/provisioning:ro');
    const url = new URL(datasources.datasources[0].url);
    expect(Object.keys(compose.services)).toContain(url.hostname);
    expect(compose.services[url.hostname].ports[0]).toMatch(new RegExp(`:${url.port}$`));
  });
});

describe('Prometheus (deploy/prometheus)', () => {
  it('scrapes the compose gateway with the master key from a compose config', () => {
    const job = prometheus.scrape_configs.find((j: any) => j.job_name === 'tollgate');
    expect(job.metrics_path).toBe('/metrics');
    expect(job.static_configs[0].targets).toEqual(['tollgate:8080']);
    const service = compose.services.prometheus;
    const keyFile = service.configs.find(
      (c: any) => c.target === job.authorization.credentials_file,
    );
    expect(compose.configs[keyFile.source].content).toMatch(/^\$\{TOLLGATE_MASTER_KEY:\?/);
    for (const file of prometheus.rule_files) {
      expect(service.volumes.some((v: string) => v.split(':')[1] === file)).toBe(true);
    }
  });

  it('has the example alerts, each with a severity, a summary and a valid duration', () => {
    const names = alertRules.map((r) => r.alert);
    expect(names.sort()).toEqual([
      'TollgateDown',
      'TollgateHigh5xxRatio',
      'TollgateUpstreamErrors',
      'TollgateUsageDeadLetters',
      'TollgateUsageWriterStuck',
    ]);
    for (const r of alertRules) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary).toEqual(expect.any(String));
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
      // The job label the alert selects is the scrape job's.
      for (const [, job] of String(r.expr).matchAll(/job="([^"]+)"/g)) {
        expect(prometheus.scrape_configs.map((j: any) => j.job_name)).toContain(job);
      }
    }
    const stuck = alertRules.find((r) => r.alert === 'TollgateUsageWriterStuck');
    expect(metricNames(stuck!.expr)).toEqual(['tollgate_usage_writer_oldest_age_seconds']);
  });
});
