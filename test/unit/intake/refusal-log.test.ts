import { describe, expect, it } from 'vitest';
import { createRefusalLog } from '../../../master/intake/refusal-log.js';

function recordingLogger() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string | undefined }> = [];
  let onLine: () => void = () => undefined;
  return {
    lines,
    next: () => new Promise<void>((r) => (onLine = r)),
    warn(obj: object, msg?: string) {
      lines.push({ obj: obj as Record<string, unknown>, msg });
      onLine();
    },
  };
}

describe('refusal log', () => {
  it('logs the first refusal of each reason with its details, then one summary line per window', async () => {
    const logger = recordingLogger();
    const log = createRefusalLog(logger, 200);
    for (let i = 0; i < 500; i++) log.refused('missing or wrong signature', { ip: '127.0.0.1', n: i });
    log.refused('body too slow', { ip: '127.0.0.2' });
    expect(logger.lines.map((l) => l.msg)).toEqual(['webhook refused: missing or wrong signature', 'webhook refused: body too slow']);
    expect(logger.lines[0]?.obj).toMatchObject({ n: 0, reason: 'missing or wrong signature' });
    await logger.next();
    expect(logger.lines).toHaveLength(3);
    expect(logger.lines[2]?.obj).toEqual({ refused: { 'missing or wrong signature': 499 }, windowSeconds: 0.2 });
    // A new window logs the first refusal in full again.
    log.refused('missing or wrong signature', { n: 'again' });
    expect(logger.lines.at(-1)?.obj).toMatchObject({ n: 'again' });
    log.close();
  });
});
