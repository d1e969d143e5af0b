/**
 * The support and campaign pages of `restorectl serve`, in Debian's chromium driven by
 * playwright-core (its own browser download cannot work here), against the real stack:
 * support reads a user's status in plain words; an operator pauses and resumes a running
 * campaign from its page; a support token sees no buttons. With RESTORE_SCREENSHOTS_DIR
 * set, the pages are photographed there for the README.
 */
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { campaignProgress, startCampaign, waitForProgress } from '../client/campaigns';
import { controlCollections } from '../store/control/control-collections';
import { createApplicationIndexes } from '../store/live/live-indexes';
import { apiServer, OPERATOR_TOKEN, SUPPORT_TOKEN } from './helpers/api-server';
import { createHarness, type Harness } from './helpers/campaign-runner';
import { recordLine, writeSnapshot } from './helpers/snapshot-builder';
import { isolatedEnv } from './helpers/test-env';

const T = '2009-09-30T18:02:11Z';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const shots = process.env.RESTORE_SCREENSHOTS_DIR;

describe('the pages', () => {
  let h: Harness;
  let server: Awaited<ReturnType<typeof apiServer>>;
  let browser: Browser;
  let snapshotDir: string;

  beforeAll(async () => {
    h = await createHarness(isolatedEnv('pages'));
    await createApplicationIndexes(h.stores.target, ['contacts', 'notes']);
    server = await apiServer(h);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const users = Array.from({ length: 8 }, (_, i) => `u-${i + 1}`);
    snapshotDir = await writeSnapshot({
      users: users.map((userId) => ({ userId, expected: { contacts: 2, notes: 1 } })),
      lines: {
        contacts: users.flatMap((u) => [recordLine(u, `c1-${u}`, T, { displayName: `Person ${u}` }), recordLine(u, `c2-${u}`, T, { displayName: `Friend of ${u}` })]),
        notes: [
          ...users.slice(1).map((u) => recordLine(u, `n-${u}`, T, { title: 'a note', body: 'kept' })),
          { ...recordLine('u-1', 'n-u-1', T, { title: 'bad', body: 'digest' }), sha256: 'f'.repeat(64) },
        ],
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.app.close();
    await h?.close();
  });

  /** A fresh browser tab, signed in with `token` on `path`: its sessionStorage is its own. */
  async function signedIn(path: string, token: string, viewport = { width: 1100, height: 800 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(`${server.baseUrl}${path}`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    return page;
  }

  it('support types a user id and reads each category in plain words, on a phone-sized screen, by keyboard', async () => {
    const { campaignId } = await h.runCampaign({ snapshotDir, categories: ['contacts', 'notes'] });
    if (shots) {
      // What engineers look at once a campaign has ended: its figures, what was held back and why.
      const ended = await signedIn(`/campaigns#${campaignId}`, OPERATOR_TOKEN);
      await ended.getByRole('heading', { name: 'Failures by cause' }).waitFor();
      await ended.screenshot({ path: join(shots, 'campaign-ended.png'), fullPage: true });
      await ended.context().close();
    }
    const page = await signedIn('/support', SUPPORT_TOKEN, { width: 375, height: 740 });
    await page.getByLabel('User id').fill('u-1');
    await page.keyboard.press('Enter');
    const result = page.locator('#result');
    await result.getByText('User u-1 — campaign').waitFor();
    expect(await result.locator('dt').allTextContents()).toEqual(['Contacts', 'Notes']);
    expect(await result.locator('dd').allTextContents()).toEqual([
      'restored: 2 of 2 record(s) back',
      'partly restored: 0 of 1 record(s) back; 1 damaged in the backup and held back',
    ]);
    expect(await result.textContent()).toMatch(/Campaign completed; last updated /);
    // Nothing wider than the phone's screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    if (shots) await page.screenshot({ path: join(shots, 'support.png'), fullPage: true });

    await page.getByLabel('User id').fill('u-404');
    await page.getByRole('button', { name: 'Look up' }).click();
    await result.getByText('No restore campaign has data for user u-404').waitFor();
    await page.getByLabel('User id').fill('not an id');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.locator('#message').getByText('path.userId: must be 1–128 characters').waitFor();
    await page.context().close();
  }, 120_000);

  it('an operator pauses and resumes a running campaign from its page; a support token sees no buttons', async () => {
    const campaignId = await startCampaign(h.client, h.env, { snapshotDir, categories: ['contacts', 'notes'], batchSize: 1, concurrency: 1, maxRecordsPerSecond: 1 });
    await h.runWorkerUntil(async () => {
      await waitForProgress(h.client, campaignId, (p) => p.phase === 'restoring' && p.outcome.restored >= 1);
      const page = await signedIn(`/campaigns#${campaignId}`, OPERATOR_TOKEN);
      await page.getByRole('heading', { name: `Campaign ${campaignId}: running` }).waitFor();
      await page.getByRole('progressbar', { name: /^contacts: \d+ of 8 users$/ }).waitFor();
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByText('Paused: paused by the operator').waitFor();
      expect((await campaignProgress(h.client, campaignId))!.paused).toBe(true);
      if (shots) await page.screenshot({ path: join(shots, 'campaign.png'), fullPage: true });

      const support = await signedIn(`/campaigns#${campaignId}`, SUPPORT_TOKEN);
      await support.getByText('Paused: paused by the operator').waitFor();
      expect(await support.getByRole('button').allTextContents()).toEqual(['Sign out']);
      // Support looking up a user whose contacts are back reads, for its notes, why they wait.
      await support.goto(`${server.baseUrl}/support`);
      await support.getByLabel('User id').fill('u-1');
      await support.keyboard.press('Enter');
      await support.locator('#result').getByText('paused by the operator; 1 record(s) expected, not restored yet').waitFor();
      await support.context().close();

      // Declining the confirmation changes nothing.
      page.once('dialog', (dialog) => void dialog.dismiss());
      await page.getByRole('button', { name: 'Resume' }).click();
      expect((await campaignProgress(h.client, campaignId))!.paused).toBe(true);
      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Resume' }).click();
      await page.getByRole('button', { name: 'Pause' }).waitFor();
      expect((await campaignProgress(h.client, campaignId))!.paused).toBe(false);
      const audit = await controlCollections(h.stores.control).audit.find({ campaignId }).sort({ at: 1 }).toArray();
      expect(audit.map((a) => [a.actor, a.via, a.action, a.outcome])).toEqual([
        ['olga', 'api', 'pause', 'ok'],
        ['olga', 'api', 'resume', 'ok'],
      ]);
      await page.getByText('olga (api) resume: ok').waitFor();
      // Running again: the notes of a user whose contacts are back are expected after the contacts wave.
      const lookup = await signedIn('/support', SUPPORT_TOKEN);
      await lookup.getByLabel('User id').fill('u-1');
      await lookup.keyboard.press('Enter');
      await lookup.locator('#result dd', { hasText: /^expected (after the contacts wave, |back )in (less than a minute|about \d+ minutes?) \(1 record\(s\)\)$/ }).waitFor();
      await lookup.context().close();

      page.once('dialog', (dialog) => void dialog.accept());
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('heading', { name: `Campaign ${campaignId}: cancelled` }).waitFor();
      await page.context().close();
    });
  }, 180_000);
});
