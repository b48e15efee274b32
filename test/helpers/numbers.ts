/** Every number inside a value (Maps and arrays included), with its path, for "never a made-up number" checks. */
export function numbersIn(value: unknown, path = '$', out = new Map<string, number>()): Map<string, number> {
  if (typeof value === 'number') out.set(path, value);
  else if (value instanceof Map) for (const [key, item] of value) numbersIn(item, `${path}.${String(key)}`, out);
  else if (Array.isArray(value)) value.forEach((item, index) => numbersIn(item, `${path}[${index}]`, out));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) numbersIn(item, `${path}.${key}`, out);
  return out;
}
