import { describe, expect, it } from 'vitest';
import { coreErrorCodes, InvalidCidrError, InvalidIpError } from './catalogue.js';
import { isKemuError, KemuError } from './kemu-error.js';

describe('kemu errors', () => {
  it('carry a stable code from the catalogue and a message naming the input', () => {
    const error = new InvalidIpError('10.0.0.256');
    expect(error.code).toBe('KEMU_INVALID_IP');
    expect(coreErrorCodes[error.code as keyof typeof coreErrorCodes]).toBeDefined();
    expect(error.message).toBe('"10.0.0.256" is not a valid IPv4 or IPv6 address');
    expect(error.name).toBe('InvalidIpError');
  });

  it('are recognised across two installed copies by their brand (undici lib/core/errors.js does the same)', () => {
    // A plain object standing in for an error from another copy of @kemu/core: same brand symbol.
    const foreign = Object.assign(new Error('x'), { code: 'KEMU_X' });
    Object.defineProperty(foreign, Symbol.for('kemu.error'), { value: true });
    expect(isKemuError(foreign)).toBe(true);
    expect(foreign instanceof KemuError).toBe(true);
    expect(new Error('plain') instanceof KemuError).toBe(false);
  });

  it('keep ordinary instanceof for subclasses', () => {
    const error = new InvalidCidrError('x', 'is bad');
    expect(error instanceof InvalidCidrError).toBe(true);
    expect(error instanceof InvalidIpError).toBe(false);
    expect(error instanceof KemuError).toBe(true);
  });

  it('keep the original error as cause', () => {
    const cause = new Error('socket hang up');
    const error = new KemuError('KEMU_TEST', 'wrapped', { cause, userError: false });
    expect(error.cause).toBe(cause);
    expect(error.userError).toBe(false);
  });
});
