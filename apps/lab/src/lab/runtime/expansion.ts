// `$(VAR)` references in env values, command and args, as the kubelet expands them
// (third_party/forked/golang/expansion/expand.go): `$$` is a literal `$`, `$(NAME)` is replaced
// when NAME is defined and left as written otherwise, any other `$` stays as it is.

/** Expands `$(VAR)` references in `input` using `lookup`. */
export function expandVariables(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        // An unclosed reference is kept as written.
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = close;
    } else {
      out += ch;
    }
  }
  return out;
}
