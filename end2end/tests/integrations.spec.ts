import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { createHmac } from 'node:crypto';

// Runs after the accounts spec on the same server: its admin turns the alert sources on. The
// alerts are from June 2025, outside the periods the retros spec counts.
const admin = { username: 'ada', password: 'a long admin passphrase' };

async function ready(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1);
  }
}

async function signIn(page: Page, javaScriptEnabled: boolean) {
  await page.goto('/login');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Username').fill(admin.username);
  await page.getByLabel('Password', { exact: true }).fill(admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: /^Welcome/ })).toBeVisible();
}

async function addService(page: Page, javaScriptEnabled: boolean, team: string, service: string) {
  await page.goto('/catalog');
  await ready(page, javaScriptEnabled);
  await page.getByLabel('Team name').fill(team);
  await page.getByRole('button', { name: 'Add team' }).click();
  await expect(page.locator('.team-list').getByText(team).first()).toBeVisible();
  await page.goto('/catalog');
  await ready(page, javaScriptEnabled);
  await page.locator('#new-service-name').fill(service);
  await page.locator('#new-service-team_id').selectOption({ label: team });
  await page.getByRole('button', { name: 'Add service' }).click();
  await expect(page.getByText(service).first()).toBeVisible();
}

function pagerDutyEvent(id: string, type: string, at: string, incident: string, title: string) {
  return JSON.stringify({
    event: {
      id,
      event_type: type,
      resource_type: 'incident',
      occurred_at: at,
      agent: { id: 'PTUXL6G', summary: 'Grace Hopper', type: 'user_reference' },
      client: null,
      data: {
        id: incident,
        type: 'incident',
        html_url: `https://acme.pagerduty.com/incidents/${incident}`,
        number: 77,
        status: type === 'incident.resolved' ? 'resolved' : 'triggered',
        created_at: '2025-06-03T07:12:00Z',
        title,
        service: { id: 'PF9KMXH', summary: 'Payments API', type: 'service_reference' },
        teams: [{ id: 'PFCVPS0', summary: 'Payments', type: 'team_reference' }],
        priority: { id: 'PSO75BM', summary: 'P2', type: 'priority_reference' },
        urgency: 'high',
      },
    },
  });
}

test('an admin connects PagerDuty; its signed deliveries open, acknowledge and resolve an incident', async ({ page, request, javaScriptEnabled }, info) => {
  const project = info.project.name;
  const service = `ledger-${project}`;
  const secret = `whsec-${project}-3f9a`;
  const title = `Card authorisations failing (${project})`;
  await signIn(page, javaScriptEnabled);
  await addService(page, javaScriptEnabled, `Payments ${project} alerts`, service);

  await page.getByRole('link', { name: 'Alerts' }).click();
  await expect(page.getByRole('heading', { name: 'Alerts', exact: true })).toBeVisible();
  await ready(page, javaScriptEnabled);
  const panel = page.locator('section[data-source="pagerduty"]');
  await expect(panel.locator('.badge', { hasText: 'Off' })).toBeVisible();
  // An empty secret is refused, naming the field.
  await panel.getByLabel('Signing secret').fill(' ');
  await panel.getByRole('button', { name: 'Turn on' }).click();
  await expect(panel.getByText(/Signing secret (is required|may not contain spaces)/)).toBeVisible();
  await ready(page, javaScriptEnabled);
  await panel.getByLabel('Signing secret').fill(secret);
  await panel.getByRole('button', { name: 'Turn on' }).click();
  await expect(panel.locator('.badge', { hasText: 'On' })).toBeVisible();
  await ready(page, javaScriptEnabled);

  // PagerDuty's service is "Payments API"; a rule says which service that is here.
  const ruleForm = panel.locator('form.rule-form').first();
  await ruleForm.getByLabel('Label').fill('service');
  await ruleForm.getByLabel('Value').fill('Payments API');
  await ruleForm.getByLabel('Service').selectOption({ label: service });
  await ruleForm.getByRole('button', { name: 'Add service rule' }).click();
  await expect(panel.locator('table[data-rules="pagerduty"]')).toContainText('service=Payments API');
  await expect(panel.locator('table[data-rules="pagerduty"]')).toContainText(service);

  const incident = `Q${project.toUpperCase().replace(/[^A-Z]/g, '')}77`;
  const deliver = async (id: string, type: string, at: string, key = secret) => {
    const body = pagerDutyEvent(id, type, at, incident, title);
    const signature = 'v1=' + createHmac('sha256', key).update(body).digest('hex');
    return request.post('/api/v1/alerts/pagerduty', {
      data: body,
      headers: { 'content-type': 'application/json', 'x-pagerduty-signature': signature },
    });
  };

  const forged = await deliver(`${project}-e1`, 'incident.triggered', '2025-06-03T07:12:04Z', 'not-the-secret');
  expect(forged.status()).toBe(401);
  const opened = await deliver(`${project}-e1`, 'incident.triggered', '2025-06-03T07:12:04Z');
  expect(opened.status()).toBe(200);
  const { result, incident_id: id } = await opened.json();
  expect(result).toBe('opened');
  const again = await deliver(`${project}-e1`, 'incident.triggered', '2025-06-03T07:12:04Z');
  expect((await again.json()).result).toBe('duplicate');
  expect((await (await deliver(`${project}-e2`, 'incident.acknowledged', '2025-06-03T07:15:30Z')).json()).result).toBe('updated');

  await page.goto(`/incidents/${id}`);
  await ready(page, javaScriptEnabled);
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
  await expect(page.getByText('SEV2').first()).toBeVisible();
  await expect(page.getByText(service).first()).toBeVisible();
  await expect(page.getByText('acknowledged by Grace Hopper')).toBeVisible();

  expect((await (await deliver(`${project}-e3`, 'incident.resolved', '2025-06-03T08:01:00Z')).json()).result).toBe('updated');
  await page.reload();
  await ready(page, javaScriptEnabled);
  await expect(page.getByText('2025-06-03 08:01:00 UTC').first()).toBeVisible();

  // A malformed delivery is refused and shown to the admin.
  const bad = '{"event": {"id": "x", "event_type": "incident.triggered", "occurred_at": "soon", "data": {}}}';
  const refused = await request.post('/api/v1/alerts/pagerduty', {
    data: bad,
    headers: { 'content-type': 'application/json', 'x-pagerduty-signature': 'v1=' + createHmac('sha256', secret).update(bad).digest('hex') },
  });
  expect(refused.status()).toBe(400);
  await page.goto('/admin/alerts');
  await expect(page.locator('[data-last-error="pagerduty"]')).toContainText('event.data is not an incident');
});

test('an admin makes an Alertmanager token, shown once, and a firing group opens an incident', async ({ page, request, javaScriptEnabled }, info) => {
  const service = `ledger-${info.project.name}`;
  await signIn(page, javaScriptEnabled);
  await page.goto('/admin/alerts');
  await ready(page, javaScriptEnabled);
  const panel = page.locator('section[data-source="alertmanager"]');
  await panel.getByRole('button', { name: 'Turn on and make a token' }).click();
  const token = (await panel.locator('code[data-token="alertmanager"]').textContent())!.trim();
  expect(token).toMatch(/^hs_am_[0-9a-f]{64}$/);
  await page.reload();
  await ready(page, javaScriptEnabled);
  await expect(panel.getByRole('button', { name: 'Make a new token' })).toBeVisible();
  await expect(panel.locator('code[data-token="alertmanager"]')).toHaveCount(0);

  const firing = {
    version: '4',
    groupKey: '{}:{alertname="LedgerLag"}',
    status: 'firing',
    receiver: 'hindsight',
    groupLabels: { alertname: 'LedgerLag' },
    commonLabels: { alertname: 'LedgerLag', job: service, severity: 'warning' },
    commonAnnotations: { summary: 'replication lag above 30s' },
    externalURL: 'http://alertmanager:9093',
    truncatedAlerts: 0,
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'LedgerLag', job: service, severity: 'warning' },
        annotations: { summary: 'replication lag above 30s', description: 'lag is 95s on the ledger replica' },
        startsAt: '2025-06-04T10:00:00.000Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=ledger_lag_seconds',
        fingerprint: 'e2e0ledger',
      },
    ],
  };
  const refused = await request.post('/api/v1/alerts/alertmanager', { data: firing, headers: { authorization: 'Bearer hs_am_wrong' } });
  expect(refused.status()).toBe(401);
  const reply = await request.post('/api/v1/alerts/alertmanager', { data: firing, headers: { authorization: `Bearer ${token}` } });
  expect(reply.status()).toBe(200);
  const { result, incident_id: id } = await reply.json();
  expect(result).toBe('opened');

  await page.goto(`/incidents/${id}`);
  await ready(page, javaScriptEnabled);
  await expect(page.getByRole('heading', { name: 'LedgerLag: replication lag above 30s' })).toBeVisible();
  await expect(page.getByText('SEV3').first()).toBeVisible();
  await expect(page.getByText('lag is 95s on the ledger replica').first()).toBeVisible();
});

test('the API reference lists every operation from the published description', async ({ page, request, javaScriptEnabled }) => {
  const description = await request.get('/api/v1/openapi.json');
  expect(description.status()).toBe(200);
  const spec = await description.json();
  expect(spec.openapi).toBe('3.1.0');

  await signIn(page, javaScriptEnabled);
  await page.getByRole('link', { name: 'API reference' }).click();
  await expect(page.getByRole('heading', { name: 'Hindsight API', level: 1 })).toBeVisible();
  const operations = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => Object.keys(item)
      .filter((key) => ['get', 'post', 'put', 'delete', 'patch'].includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`));
  expect(operations.length).toBeGreaterThan(20);
  const contents = page.getByRole('navigation', { name: 'Operations' });
  for (const operation of operations) {
    await expect(contents.getByRole('link', { name: operation, exact: true })).toBeVisible();
  }

  await contents.getByRole('link', { name: 'POST /api/v1/incidents', exact: true }).click();
  const create = page.locator('#post-api-v1-incidents');
  await expect(create.getByText('Record an incident (engineers)')).toBeVisible();
  await create.getByRole('link', { name: 'IncidentBody' }).click();
  const body = page.locator('#shape-IncidentBody');
  await expect(body.getByRole('row', { name: /severity/ }).getByRole('link', { name: 'Severity' })).toBeVisible();
  await expect(page.locator('#shape-Severity')).toContainText('sev1');
});
