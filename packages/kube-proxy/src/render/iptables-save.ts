// Rewrites kube-proxy's restore input the way `iptables-save` prints the same rules back from
// the kernel: addresses get /32 (/128), -s/-d then -p come first, matches keep their order with
// their options, comments are always quoted, marks become --set-xmark, statistic probabilities
// are the kernel's fixed-point value (x * 2^31, rounded) printed with 11 decimals, and `recent`
// shows its defaults (--mask, --rsource).

/** Splits a rule into tokens, keeping double-quoted strings whole. */
export function tokenize(rule: string): string[] {
  const tokens: string[] = [];
  const re = /"[^"]*"|\S+/g;
  for (let m = re.exec(rule); m !== null; m = re.exec(rule)) tokens.push(m[0]);
  return tokens;
}

function withPrefix(address: string, ipv6: boolean): string {
  return address.includes('/') ? address : `${address}/${ipv6 ? 128 : 32}`;
}

/** The kernel's round trip of a `--probability` value (xt_statistic stores it as u32 of 2^31). */
export function kernelProbability(text: string): string {
  const stored = Math.round(Number(text) * 0x80000000);
  return (stored / 0x80000000).toFixed(11);
}

interface Match {
  name: string;
  options: string[];
}

/** One `-A` rule in iptables-save form. */
export function ruleToSaveForm(rule: string, ipv6 = false): string {
  const t = tokenize(rule);
  const head = [t[0] as string, t[1] as string];
  const addresses: string[] = [];
  let protocol: string[] = [];
  const matches: Match[] = [];
  let target: string[] = [];
  let negate = false;
  for (let i = 2; i < t.length; i++) {
    const tok = t[i] as string;
    if (tok === '!') {
      negate = true;
      continue;
    }
    const neg = negate ? ['!'] : [];
    negate = false;
    if (tok === '-s' || tok === '-d') {
      addresses.push(...neg, tok, withPrefix(t[++i] as string, ipv6));
    } else if (tok === '-p') {
      protocol = [...neg, '-p', t[++i] as string];
    } else if (tok === '-m') {
      matches.push({ name: t[++i] as string, options: [] });
    } else if (tok === '-j') {
      target = t.slice(i);
      break;
    } else {
      const last = matches[matches.length - 1];
      const value = t[i + 1];
      const takesValue = value !== undefined && !value.startsWith('-') && value !== '!';
      const option = [...neg, tok, ...(takesValue ? [value] : [])];
      if (takesValue) i++;
      last?.options.push(...option);
    }
  }
  // Source before destination, as iptables-save prints the IP header fields.
  const src: string[] = [];
  const dst: string[] = [];
  for (let i = 0; i < addresses.length; ) {
    const n = addresses[i] === '!' ? 3 : 2;
    const part = addresses.slice(i, i + n);
    (part.includes('-s') ? src : dst).push(...part);
    i += n;
  }
  const out = [...head, ...src, ...dst, ...protocol];
  for (const m of matches) out.push('-m', m.name, ...saveMatchOptions(m));
  out.push(...saveTarget(target));
  return out.join(' ');
}

function saveMatchOptions(m: Match): string[] {
  const o = [...m.options];
  if (m.name === 'comment') {
    const i = o.indexOf('--comment');
    const v = o[i + 1];
    if (v !== undefined && !v.startsWith('"')) o[i + 1] = `"${v}"`;
    return o;
  }
  if (m.name === 'statistic') {
    const i = o.indexOf('--probability');
    if (i >= 0) o[i + 1] = kernelProbability(o[i + 1] as string);
    return o;
  }
  if (m.name === 'recent') {
    const name = o[o.indexOf('--name') + 1] as string;
    const rest = o.filter((x, i) => x !== '--name' && o[i - 1] !== '--name');
    return [...rest, '--name', name, '--mask', '255.255.255.255', '--rsource'];
  }
  return o;
}

function saveTarget(target: string[]): string[] {
  if (target[1] === 'MARK' && (target[2] === '--or-mark' || target[2] === '--xor-mark')) {
    const mark = target[3] as string;
    return ['-j', 'MARK', '--set-xmark', target[2] === '--or-mark' ? `${mark}/${mark}` : `${mark}/0x0`];
  }
  return target;
}

/** Converts a whole restore input to iptables-save form. */
export function toIPTablesSave(restoreInput: string, ipv6 = false): string {
  return restoreInput
    .split('\n')
    .map((line) => (line.startsWith('-A ') ? ruleToSaveForm(line, ipv6) : line))
    .join('\n');
}
