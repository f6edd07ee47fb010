// TrafficLog.after: what a dashboard client missed between its snapshot and its event stream.
import { describe, expect, it } from 'vitest';
import { TrafficLog } from './traffic-log.js';

const record = (summary: string) => ({ time: 0, protocol: 'http', summary, status: 200, durationMs: 0, bytes: 0, hops: [] });

describe('TrafficLog.after', () => {
  it('returns the records added after the given id, oldest first', () => {
    const log = new TrafficLog();
    const first = log.add(record('GET a/'));
    log.add(record('GET b/'));
    log.add(record('GET c/'));
    expect(log.after(first.id).map((r) => r.summary)).toEqual(['GET b/', 'GET c/']);
  });

  it('returns every recent record for an empty id (the snapshot had none)', () => {
    const log = new TrafficLog();
    log.add(record('GET a/'));
    expect(log.after('').map((r) => r.summary)).toEqual(['GET a/']);
  });

  it('returns every recent record, up to the limit, when the id has left the bounded log', () => {
    // The log keeps `capacity` records: a client further behind than that gets what is left.
    const log = new TrafficLog(2);
    const gone = log.add(record('GET a/'));
    log.add(record('GET b/'));
    log.add(record('GET c/'));
    expect(log.after(gone.id).map((r) => r.summary)).toEqual(['GET b/', 'GET c/']);
    expect(log.after(gone.id, 1).map((r) => r.summary)).toEqual(['GET c/']);
  });
});
