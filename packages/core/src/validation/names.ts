// Name rules from k8s.io/apimachinery/pkg/util/validation/validation.go. Each check returns the
// upstream messages (empty when valid), so errors read exactly as `kubectl apply` prints them.

const dns1123LabelFormat = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123LabelPattern = new RegExp(`^${dns1123LabelFormat}$`);
const dns1123SubdomainPattern = new RegExp(`^${dns1123LabelFormat}(\\.${dns1123LabelFormat})*$`);
const qualifiedNamePattern = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ianaSvcNamePattern = /^[-a-z0-9]+$/;

/** Maximum length of a DNS-1123 label (RFC 1123), e.g. a Service or Namespace name. */
export const dns1123LabelMaxLength = 63;
/** Maximum length of a DNS-1123 subdomain, e.g. most object names. */
export const dns1123SubdomainMaxLength = 253;

/** RFC 1123 label: lower case alphanumerics and '-', starting and ending alphanumeric, ≤ 63. */
export function checkDNS1123Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > dns1123LabelMaxLength) errors.push(`must be no more than ${dns1123LabelMaxLength} characters`);
  if (!dns1123LabelPattern.test(value)) {
    errors.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc')",
    );
  }
  return errors;
}

/** RFC 1123 subdomain: labels joined by '.', ≤ 253. */
export function checkDNS1123Subdomain(value: string): string[] {
  const errors: string[] = [];
  if (value.length > dns1123SubdomainMaxLength) errors.push(`must be no more than ${dns1123SubdomainMaxLength} characters`);
  if (!dns1123SubdomainPattern.test(value)) {
    errors.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')",
    );
  }
  return errors;
}

/** RFC 1035 label as Services require: starts with a letter. */
export function checkDNS1035Label(value: string): string[] {
  const errors: string[] = [];
  if (value.length > dns1123LabelMaxLength) errors.push(`must be no more than ${dns1123LabelMaxLength} characters`);
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(value)) {
    errors.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123')",
    );
  }
  return errors;
}

/** A qualified name such as a label key: `[prefix/]name`, prefix a DNS subdomain, name ≤ 63. */
export function checkQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const errors: string[] = [];
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else for (const e of checkDNS1123Subdomain(prefix)) errors.push(`prefix part ${e}`);
  } else {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errors.push('name part must be non-empty');
  else if (name.length > 63) errors.push('name part must be no more than 63 characters');
  if (name.length > 0 && !qualifiedNamePattern.test(name)) {
    errors.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return errors;
}

/** A label value: empty, or ≤ 63 alphanumerics with '-', '_', '.' inside. */
export function checkLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) errors.push('must be no more than 63 characters');
  if (!labelValuePattern.test(value)) {
    errors.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  }
  return errors;
}

/** An IANA service name as a named port: ≤ 15, lower case, a letter, no '--' (validation.IsValidPortName). */
export function checkPortName(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 15) errors.push('must be no more than 15 characters');
  if (!ianaSvcNamePattern.test(value)) errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (value.includes('--')) errors.push('must not contain consecutive hyphens');
  if (value.length > 0 && !/[a-z]/.test(value)) errors.push('must contain at least one letter (a-z)');
  if (value.startsWith('-') || value.endsWith('-')) errors.push('must not begin or end with a hyphen');
  return errors;
}

/** A TCP/UDP/SCTP port number, 1–65535. */
export function checkPortNumber(value: number): string[] {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}
