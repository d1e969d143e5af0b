/**
 * A category is one row of traits plus one row of sample data. This test adds one that
 * exists only here, voicemail with audio blobs, and runs it through the checks, the
 * blob checks and the restore plan, none of which name a category.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { blobDigest, type CategoryTraits } from '../domain/category-traits';
import { jcsSha256, sha256Hex } from '../domain/digest';
import { DateTime, int, Sha256Hex } from '../domain/record-schemas';
import { planUser } from '../domain/restore-plan';
import { classifyLines, FirstLines } from './classify';
import type { NumberedLine } from './line-reader';
import { SeededRandom } from './random';
import { breakSchema, type CategorySample } from './sample-data';

const voicemail: CategoryTraits = {
  schema: z.strictObject({ from: z.string().min(1), receivedAt: DateTime, seconds: int(1, 3600), audioSha256: Sha256Hex, audioBytes: int(1, 10_000_000) }),
  matchKeys: null,
  blob: { digestField: 'audioSha256', bytesField: 'audioBytes', bucket: 'voicemail' },
};

const voicemailSample: CategorySample = {
  perUser: [0, 3],
  make: (rnd) => {
    const blob = rnd.bytes(rnd.int(100, 400));
    return { data: { from: '+1 555 0100', receivedAt: '2009-09-30T08:00:00Z', seconds: rnd.int(1, 90), audioSha256: sha256Hex(blob), audioBytes: blob.length }, blob };
  },
  broken: (data) => ({ ...data, seconds: 0 }),
};

const line = (recordId: string, data: Record<string, unknown>) => JSON.stringify({ userId: 'u-1', recordId, updatedAt: '2009-09-30T08:00:00Z', data, sha256: jcsSha256(data) });
const numbered = (texts: string[]): NumberedLine[] => texts.map((text, i) => ({ number: i + 1, text, at: 0, next: { byte: 0, line: i + 1 } }));

describe('a category added by one row', () => {
  it('checks its schema and its blobs, and plans its restore, from its traits alone', async () => {
    const rnd = new SeededRandom('voicemail');
    const dir = await mkdtemp(join(tmpdir(), 'voicemail-'));
    await mkdir(join(dir, 'blobs'));
    const kept = voicemailSample.make(rnd);
    const lost = voicemailSample.make(rnd);
    const altered = voicemailSample.make(rnd);
    await writeFile(join(dir, 'blobs', blobDigest(voicemail.blob!, kept.data)!), kept.blob!);
    await writeFile(join(dir, 'blobs', blobDigest(voicemail.blob!, altered.data)!), Buffer.concat([altered.blob!, Buffer.from([0])]));
    const broken = breakSchema(voicemailSample, kept.data, rnd);

    const outcomes = await classifyLines(
      numbered([line('v-1', kept.data), line('v-2', lost.data), line('v-3', altered.data), line('v-4', broken)]),
      voicemail,
      dir,
      () => true,
      new FirstLines(),
    );
    expect(outcomes.map((o) => (o.kind === 'quarantined' ? o.reason : o.kind))).toEqual([
      'valid',
      { code: 'blob-missing', message: 'blob named by data.audioSha256 is missing' },
      { code: 'blob-mismatch', message: expect.stringContaining('data.audioBytes') },
      { code: 'schema', message: expect.stringMatching(/^data/) },
    ]);

    const valid = outcomes[0].kind === 'valid' ? outcomes[0].record : null;
    const plan = planUser(voicemail, [valid!], [], 'keep-newer', true);
    expect(plan.get('v-1')).toEqual({ action: 'insert' });
    expect(blobDigest(voicemail.blob!, valid!.data)).toBe(sha256Hex(kept.blob!));
  });
});
