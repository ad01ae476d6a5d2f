// The Ember-CSI `config` converter: what each key becomes, and env files that bash reads back.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { convertEmberConfig, formatEnvFile } from '../../../cli/ember-config/convert-ember-config.js';
import { importEmberConfig } from '../../../cli/import-ember-config.js';
import { readEmberConfig } from '../../../cli/ember-config/read-ember-config.js';
import { parseConfig } from '../../../shared/config.js';
import { makeTempDir } from '../../support/temp-dir.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('gatehouse-ember-');
});
afterEach(() => tmp.remove());

const BASIC = { GH_EMBER_SECRET: 's', GH_TOKEN: 't', SMEE_ID: 'ch', NUM_DRIVERS: '1', DRIVER_NAME_1: 'lvm', DRIVER_CONFIG_1: '{"driver":"LVMVolume"}' };

describe('convertEmberConfig', () => {
  it('makes a config that validates, with secrets as env references', () => {
    const { config, secrets } = convertEmberConfig(BASIC, { baseDir: tmp.path, arch: 'ppc64le' });
    const env = { ...secrets, GATEHOUSE_WORKER_SECRET: 'w' };
    const loaded = parseConfig(config, 'converted', { env });
    expect(loaded.config.smee?.url).toBe('https://smee.io/ch');
    expect(loaded.config.builders[0]?.name).toBe('lvm');
    expect(loaded.config.builders[0]?.env.X_CSI_BACKEND_CONFIG).toBe('{"driver":"LVMVolume"}');
    expect(loaded.config.images['ember-csi-ppc64le']?.arch).toBe('ppc64le');
    expect(JSON.stringify(config)).not.toContain('LVMVolume');
    expect(secrets).toEqual({ GH_EMBER_SECRET: 's', GH_TOKEN: 't', DRIVER_CONFIG_1: '{"driver":"LVMVolume"}' });
  });

  it('sources a DRIVER_CONFIG script: its DRIVER_CONFIG becomes the secret, its CSI_SYSTEM_FILES tarball an upload unpacked in the VM', () => {
    mkdirSync(path.join(tmp.path, 'ceph/etc/ceph'), { recursive: true });
    writeFileSync(path.join(tmp.path, 'ceph/etc/ceph/ceph.client.admin.keyring'), '[client.admin]\n key = AQBstandin==\n');
    writeFileSync(
      path.join(tmp.path, 'driver.sh'),
      'DRIVER_CONFIG="{\\"driver\\":\\"RBD\\",\\"pool\\":\\"${POOL:-rbd}\\"}"\nCSI_SYSTEM_FILES=$PWD/files.tar\ntar -cf "$CSI_SYSTEM_FILES" -C ceph etc/ceph\n',
    );
    const { config, secrets, madeFiles, notes } = convertEmberConfig({ ...BASIC, DRIVER_NAME_1: 'ceph', DRIVER_CONFIG_1: 'driver.sh' }, { baseDir: tmp.path });
    expect(secrets.DRIVER_CONFIG_1).toBe('{"driver":"RBD","pool":"rbd"}');
    expect(madeFiles).toEqual([{ source: path.join(tmp.path, 'files.tar'), name: 'csi-system-files-ceph.tar' }]);
    const loaded = parseConfig(config, 'converted', { env: { ...secrets, GATEHOUSE_WORKER_SECRET: 'w' } });
    const steps = loaded.config.builders[0]?.steps ?? [];
    expect(steps.map((st) => st.name)).toEqual(['build', 'system-files', 'test']);
    expect(steps[1]).toMatchObject({ upload: ['csi-system-files-ceph.tar'], run: 'sudo tar -C / --no-same-owner -xf ./csi-system-files-ceph.tar && rm -f ./csi-system-files-ceph.tar' });
    expect(notes.join('\n')).toContain('DRIVER_CONFIG_1: ran driver.sh now');
    // `import-ember-config -o` writes the tarball beside the config, readable by its owner only.
    writeFileSync(path.join(tmp.path, 'config'), 'GH_EMBER_SECRET=s\nDRIVER_NAME_1=ceph\nDRIVER_CONFIG_1=driver.sh\n');
    const out = path.join(tmp.path, 'out/gatehouse.config.json');
    const sink = new PassThrough();
    expect(importEmberConfig(path.join(tmp.path, 'config'), { out, arch: 'x86_64' }, sink, sink)).toBe(0);
    const tarball = path.join(tmp.path, 'out/csi-system-files-ceph.tar');
    expect(statSync(tarball).mode & 0o777).toBe(0o600);
    expect(spawnSync('tar', ['-tf', tarball], { encoding: 'utf8' }).stdout).toContain('etc/ceph/ceph.client.admin.keyring');

    writeFileSync(path.join(tmp.path, 'broken.sh'), 'echo "no cluster here" >&2; return 1\n');
    expect(() => convertEmberConfig({ ...BASIC, DRIVER_CONFIG_1: 'broken.sh' }, { baseDir: tmp.path })).toThrow('DRIVER_CONFIG_1: the script broken.sh failed: no cluster here');
    writeFileSync(path.join(tmp.path, 'empty.sh'), 'true\n');
    expect(() => convertEmberConfig({ ...BASIC, DRIVER_CONFIG_1: 'empty.sh' }, { baseDir: tmp.path })).toThrow('DRIVER_CONFIG_1: the script empty.sh did not set DRIVER_CONFIG');
  });

  it('says what is missing', () => {
    expect(() => convertEmberConfig({ ...BASIC, GH_EMBER_SECRET: '' }, { baseDir: tmp.path })).toThrow('GH_EMBER_SECRET: required');
    expect(() => convertEmberConfig({ ...BASIC, NUM_DRIVERS: '2' }, { baseDir: tmp.path })).toThrow('DRIVER_NAME_2: required');
    expect(() => convertEmberConfig({ ...BASIC, WEB_PORT: 'eighty' }, { baseDir: tmp.path })).toThrow('WEB_PORT: expected a whole number');
  });

  it('reads the file as bash does: quotes, comments, references', () => {
    const file = path.join(tmp.path, 'config');
    writeFileSync(file, '# comment\nDRIVER_NAME_1=lvm # trailing\nX=1\nGH_EMBER_SECRET="a $X b"\nexport WEB_PORT=8011\n');
    expect(readEmberConfig(file)).toEqual({ DRIVER_NAME_1: 'lvm', X: '1', GH_EMBER_SECRET: 'a 1 b', WEB_PORT: '8011' });
  });

  it('writes env files that bash reads back unchanged', () => {
    const values = { A: 'plain', B: 'quote " backslash \\ dollar $HOME backtick ` end', C: 'line\nbreak', D: '{"json":[1,2]}' };
    const file = path.join(tmp.path, 'secrets.env');
    writeFileSync(file, formatEnvFile(values));
    const r = spawnSync('bash', ['-c', 'set -a; . "$1"; printf "%s\\0" "$A" "$B" "$C" "$D"', '_', file], { encoding: 'utf8' });
    expect(r.stdout.split('\0').slice(0, 4)).toEqual(Object.values(values));
  });
});
