// One way to run external commands from the harness: zx underneath, quiet by default, and an
// error that carries the command line and the tail of its stderr.
import { $, ProcessOutput } from 'zx';

export interface RunOptions {
  cwd?: string;
  /** Merged over process.env. */
  env?: Record<string, string | undefined>;
  input?: string;
  /** Stream the command's output to ours (for long builds a person watches). */
  verbose?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
    super(`command failed (exit ${exitCode}): ${command}\n${tail}`);
    this.name = 'CommandError';
  }
}

/** What a command did: its exit code (-1 when a signal or timeout ended it) and its output. */
export interface Outcome extends RunResult {
  code: number;
}

/** Runs a command and reports its exit code instead of throwing (for tests that expect failures). */
export async function outcome(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<Outcome> {
  const shell = $({
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    quiet: !options.verbose,
    verbose: false,
    input: options.input,
    timeout: options.timeoutMs,
    nothrow: true,
  });
  const output: ProcessOutput = await shell`${cmd} ${[...args]}`;
  return { code: output.exitCode ?? -1, stdout: output.stdout, stderr: output.stderr };
}

/** Runs a command; a non-zero exit throws a CommandError with the command line and stderr tail. */
export async function run(cmd: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await outcome(cmd, args, options);
  if (result.code !== 0) throw new CommandError([cmd, ...args].join(' '), result.code, result.stdout, result.stderr);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** Like run, but resolves to false instead of throwing when the command fails or is missing. */
export async function succeeds(cmd: string, args: string[], options: RunOptions = {}): Promise<boolean> {
  try {
    await run(cmd, args, options);
    return true;
  } catch {
    return false;
  }
}
