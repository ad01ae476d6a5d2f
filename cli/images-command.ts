// `gatehouse images list|build|verify|prune --config FILE [--image NAME]`: the image lifecycle by
// hand (the worker also runs it on its schedule). Versions live under <vm.imagesDir>/<image>/.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';

interface ImagesOptions {
  config: string;
  image?: string;
  worker?: string;
}

async function open(o: ImagesOptions) {
  // With --worker, only that worker's secrets are read (the images part needs none of the others).
  const { config } = await loadConfig(o.config, o.worker ? { forWorker: o.worker } : {});
  const { createImageMaintenance } = await import('../worker/images/image-maintenance.js');
  // Its own domain names and overlay directory, apart from any worker's (whose start sweeps its own).
  const worker = `images-${process.pid}`;
  const maintenance = createImageMaintenance({ config, worker, logger: createLogger({ name: 'images' }), onBuildOutput: (t) => process.stderr.write(t) });
  const names = o.image ? [o.image] : Object.keys(config.images).filter((n) => config.images[n]?.build);
  if (o.image && !config.images[o.image]) throw new Error(`no image named "${o.image}" in the config (it has: ${Object.keys(config.images).join(', ') || 'none'})`);
  return {
    config,
    maintenance,
    names,
    async close() {
      await maintenance.close();
      await rm(path.join(config.dataDir, 'worker', worker), { recursive: true, force: true });
    },
  };
}

/** build, verify and prune act on images with a build section (or the one named). */
function versioned(names: string[]): string[] {
  if (names.length === 0) console.error('gatehouse images: no image of the config has a build section: nothing to do');
  return names;
}

function action(run: (parts: Awaited<ReturnType<typeof open>>, o: ImagesOptions & { version?: string }) => Promise<number>) {
  return async (o: ImagesOptions & { version?: string }) => {
    let parts;
    try {
      parts = await open(o);
      process.exitCode = await run(parts, o);
    } catch (error) {
      console.error(`gatehouse images: ${(error as Error).message}`);
      process.exitCode = 1;
    } finally {
      await parts?.close();
    }
  };
}

export function imagesCommand(): Command {
  const images = new Command('images').description('VM image versions: list, build (then verify and switch), verify, prune');
  const common = (c: Command) =>
    c
      .requiredOption('-c, --config <file>', 'config file')
      .option('-i, --image <name>', 'one image of the config (default: every image with a build section)')
      .option('-w, --worker <name>', 'read only this worker\'s secrets from the environment (default: all the config names)');

  common(images.command('list').description('each image: its versions, their states and dates, which is current')).action(
    action(async ({ maintenance, names, config }) => {
      const { formatImageReport } = await import('../worker/images/image-report.js');
      const wanted = new Set(names.length ? names : Object.keys(config.images));
      console.log(formatImageReport((await maintenance.report()).filter((r) => wanted.has(r.image))));
      return 0;
    }),
  );

  common(images.command('build').description('build a new dated version, verify it, and switch builds to it when it passes')).action(
    action(async ({ maintenance, names }) => {
      let failed = 0;
      for (const name of versioned(names)) {
        const { version, buildSeconds, verification } = await maintenance.build(name);
        console.log(`${name}: ${version} built in ${buildSeconds.toFixed(1)}s; ${verification.ok ? `verified (boot ${((verification.bootMs ?? 0) / 1000).toFixed(1)}s): now current` : `NOT switched: ${verification.failure}`}`);
        if (!verification.ok) failed++;
      }
      return failed ? 1 : 0;
    }),
  );

  common(images.command('verify').description('boot a version, check its SSH host key and smoke commands; current when it passes'))
    .option('--version <name>', 'which version (default: the newest candidate)')
    .action(
      action(async ({ maintenance, names }, o) => {
        let failed = 0;
        for (const name of versioned(names)) {
          const { version, verification } = await maintenance.verify(name, o.version);
          console.log(`${name}: ${version} ${verification.ok ? `verified (boot ${((verification.bootMs ?? 0) / 1000).toFixed(1)}s): now current` : `refused: ${verification.failure}`}`);
          if (!verification.ok) failed++;
        }
        return failed ? 1 : 0;
      }),
    );

  common(images.command('prune').description('mark versions unused for keepDays obsolete; delete those obsolete for keepDays')).action(
    action(async ({ maintenance, names }) => {
      for (const name of versioned(names)) {
        const plan = await maintenance.prune(name);
        console.log(`${name}: obsolete now [${plan.markObsolete.join(', ')}], deleted [${plan.remove.join(', ')}]${plan.kept.length ? `, kept ${plan.kept.map((k) => `${k.name} (${k.why})`).join(', ')}` : ''}`);
      }
      return 0;
    }),
  );
  return images;
}
