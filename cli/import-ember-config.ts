// `gatehouse import-ember-config FILE`: turn an Ember-CSI third-party CI `config` file (KEY=VALUE,
// sourced by bash) into a gatehouse config. setup-host.sh runs it when given such a file.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { hostArch } from '../worker/host-info.js';
import { readEmberConfig } from './ember-config/read-ember-config.js';
import { convertEmberConfig, formatEnvFile } from './ember-config/convert-ember-config.js';

interface ImportOptions {
  out?: string;
  secretsOut?: string;
  arch?: string;
  imageDir?: string;
}

export function importEmberConfig(file: string, o: ImportOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): number {
  const baseDir = path.dirname(path.resolve(file));
  let result;
  try {
    result = convertEmberConfig(readEmberConfig(file), { baseDir, arch: o.arch ?? hostArch(), ...(o.imageDir ? { imageDir: o.imageDir } : {}) });
  } catch (error) {
    stderr.write(`gatehouse: ${file}: ${(error as Error).message}\n`);
    return 1;
  }
  const json = `${JSON.stringify(result.config, null, 2)}\n`;
  if (o.out) {
    const outDir = path.dirname(path.resolve(o.out));
    mkdirSync(outDir, { recursive: true });
    writeFileSync(o.out, json);
    for (const rel of result.uploads) {
      mkdirSync(path.dirname(path.join(outDir, rel)), { recursive: true });
      if (path.resolve(baseDir, rel) !== path.resolve(outDir, rel)) copyFileSync(path.join(baseDir, rel), path.join(outDir, rel));
    }
    // A driver script's tarball may hold credentials (a keyring): readable by the owner only.
    for (const made of result.madeFiles) {
      // Written 0600 from the first byte: it may hold a keyring.
      const target = path.join(outDir, made.name);
      rmSync(target, { force: true });
      writeFileSync(target, readFileSync(made.source), { mode: 0o600 });
    }
  } else {
    stdout.write(json);
    for (const made of result.madeFiles) stderr.write(`note: ${made.name} (from ${made.source}) is only written with --out\n`);
  }
  const names = Object.keys(result.secrets).sort();
  if (o.secretsOut) writeFileSync(o.secretsOut, formatEnvFile(result.secrets), { mode: 0o600 });
  else if (names.length > 0) stderr.write(`secrets referenced (values not written; use --secrets-out): ${names.join(', ')}\n`);
  for (const note of result.notes) stderr.write(`note: ${note}\n`);
  return 0;
}

export function importEmberConfigCommand(): Command {
  return new Command('import-ember-config')
    .description('convert an Ember-CSI third-party CI `config` file (KEY=VALUE) into a gatehouse config (JSON)')
    .argument('<file>', 'the Ember-CSI config file; it is sourced with bash, as the original setup did')
    .option('-o, --out <file>', 'write the config here (and copy the PRE_RUN/POST_RUN scripts beside it); default: stdout')
    .option('--secrets-out <file>', 'write the secret values here as an EnvironmentFile (mode 0600)')
    .option('--arch <arch>', 'architecture of the test VM image (default: this host\'s)')
    .option('--image-dir <dir>', 'where the VM image lives (default /var/lib/gatehouse/images)')
    .action((file: string, o: ImportOptions) => {
      process.exitCode = importEmberConfig(file, o, process.stdout, process.stderr);
    });
}
