/**
 * milepost.config.json: defaults for the options, so a scheduled job needs no flags.
 * Read from --config FILE, or ./milepost.config.json when present. Command-line options win
 * over the environment, which wins over the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { describeZodIssues } from '../core/schemas';
import type { GlobalOptions } from './output';

export const ConfigSchema = z.strictObject({
  $schema: z.string().optional(),
  backend: z.enum(['local', 'google']).optional(),
  workspace: z.string().min(1).optional(),
  responses: z.string().min(1).optional(),
  google: z
    .strictObject({
      spreadsheetId: z.string().min(10, 'the long id in the Sheet URL').optional(),
      apiRoot: z.url({ message: 'a URL such as http://127.0.0.1:8085/' }).optional(),
    })
    .optional(),
});

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {}

export function readConfig(file: string | undefined, cwd = process.cwd()): { config: Config; file?: string } {
  const target = file ? path.resolve(cwd, file) : path.join(cwd, 'milepost.config.json');
  if (!fs.existsSync(target)) {
    if (file) throw new ConfigError(`${target}: no such file (given with --config).`);
    return { config: {} };
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(target, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${target} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) throw new ConfigError(`${target}: ${describeZodIssues(parsed.error)}`);
  return { config: parsed.data, file: target };
}

/**
 * Options as the command will use them: given on the command line, else from the
 * environment, else from the config file. `given` lists the options the user typed.
 */
export function withConfig<T extends GlobalOptions>(
  opts: T,
  given: Set<string>,
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const out = { ...opts };
  if (!given.has('backend') && config.backend) out.backend = config.backend;
  if (!given.has('workspace') && config.workspace) out.workspace = config.workspace;
  if (!given.has('responses') && config.responses) out.responses = config.responses;
  if (!given.has('spreadsheet') && !env.MILEPOST_SPREADSHEET_ID && config.google?.spreadsheetId) {
    out.spreadsheet = config.google.spreadsheetId;
  }
  if (!env.MILEPOST_GOOGLE_API_ROOT && config.google?.apiRoot)
    env.MILEPOST_GOOGLE_API_ROOT = config.google.apiRoot;
  return out;
}
