// Python path semantics the upstream provisioner relies on (posixpath.normpath, os.path.commonpath,
// pathlib joins). Node's path.posix differs in edge cases (trailing slashes, '//' roots), and the
// 400 messages and hostPaths must come out byte-identical, so we re-implement them.

export function pyNormpath(path: string): string {
  if (path === '') return '.';
  let initialSlashes = path.startsWith('/') ? 1 : 0;
  if (path.startsWith('//') && !path.startsWith('///')) initialSlashes = 2;
  const out: string[] = [];
  for (const comp of path.split('/')) {
    if (comp === '' || comp === '.') continue;
    if (comp !== '..' || (initialSlashes === 0 && out.length === 0) || (out.length > 0 && out[out.length - 1] === '..')) {
      out.push(comp);
    } else if (out.length > 0) {
      out.pop();
    }
  }
  const joined = '/'.repeat(initialSlashes) + out.join('/');
  return joined === '' ? '.' : joined;
}

export function pyIsAbs(path: string): boolean {
  return path.startsWith('/');
}

/** os.path.commonpath for two paths; undefined where Python raises (mixed absolute/relative). */
export function pyCommonpath(a: string, b: string): string | undefined {
  if (pyIsAbs(a) !== pyIsAbs(b)) return undefined;
  const split = (p: string): string[] => p.split('/').filter((c) => c !== '' && c !== '.');
  const ca = split(a);
  const cb = split(b);
  const common: string[] = [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i] !== cb[i]) break;
    common.push(ca[i] as string);
  }
  return (pyIsAbs(a) ? '/' : '') + common.join('/');
}

/** True when `path` (already normalized) is `base` or below it. */
export function isWithin(path: string, base: string): boolean {
  if (base === '') return false;
  return pyCommonpath(base, path) === pyCommonpath(base, base);
}

/** posixpath.relpath(path, start) for normalized absolute paths with path inside start. */
export function pyRelpath(path: string, start: string): string {
  const split = (p: string): string[] => p.split('/').filter((c) => c !== '' && c !== '.');
  const pc = split(path);
  const sc = split(start);
  let i = 0;
  while (i < Math.min(pc.length, sc.length) && pc[i] === sc[i]) i++;
  const rel = [...Array<string>(sc.length - i).fill('..'), ...pc.slice(i)];
  return rel.length === 0 ? '.' : rel.join('/');
}

function isWindowsBase(base: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(base) || base.startsWith('\\\\') || base.includes('\\');
}

/** Upstream `join_host_path`: pathlib join, Windows flavour when the base looks like a Windows path. */
export function joinHostPath(base: string, ...parts: string[]): string {
  if (isWindowsBase(base)) {
    const segs = [base, ...parts].map((s) => s.replace(/\//g, '\\'));
    return segs
      .map((s, i) => (i === 0 ? s.replace(/\\+$/, '') || s : s.replace(/^\\+|\\+$/g, '')))
      .filter((s) => s !== '' && s !== '.')
      .join('\\');
  }
  const joined = [base, ...parts].join('/');
  const lead = joined.startsWith('//') && !joined.startsWith('///') ? '//' : joined.startsWith('/') ? '/' : '';
  const comps = joined.split('/').filter((c) => c !== '' && c !== '.');
  return lead + comps.join('/') || '.';
}
